package io.labscan.agent.checks.mail;

import java.util.List;

/** One way a stored message can carry a worm. */
interface MailRule {
  List<MailHit> evaluate(MessageStructure message);
}
