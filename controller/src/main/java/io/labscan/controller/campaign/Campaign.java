package io.labscan.controller.campaign;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * A scan campaign: a full scan of one lab (or of every host) on a Quartz cron schedule, or on
 * demand only.
 *
 * @param lab the lab, empty for every host
 * @param cron Quartz cron expression ({@code 0 0 1 * * ?} is nightly at 01:00); empty for on demand
 */
public record Campaign(String campaignId, String name, Optional<String> lab, Optional<String> cron, ZoneId zone,
    String createdBy, Instant created) {
  public Campaign {
    requireNonNull(campaignId, "campaignId");
    requireNonNull(name, "name");
    requireNonNull(lab, "lab");
    requireNonNull(cron, "cron");
    requireNonNull(zone, "zone");
    requireNonNull(createdBy, "createdBy");
    requireNonNull(created, "created");
  }
}
