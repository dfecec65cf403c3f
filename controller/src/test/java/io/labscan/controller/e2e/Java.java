package io.labscan.controller.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JVM the test runs on, for the processes it starts. */
final class Java {
  /** Options of the command-line JVMs: they live a second or two, so no optimising compiler. */
  static final List<String> SHORT_LIVED = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");
  /** Options of the agents and the controller: small heaps, four JVMs share a 2-core machine. */
  static final List<String> SERVICE = List.of("-XX:+UseSerialGC", "-Xmx256m");

  private Java() {}

  static List<String> command(List<String> options) {
    List<String> out = new ArrayList<>();
    out.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    out.addAll(options);
    return out;
  }
}
