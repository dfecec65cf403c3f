package io.labscan.agent.checks.artifacts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Finds every occurrence of many byte strings in one linear pass (Aho-Corasick). Children
 * are stored sparsely (sorted keys per node) so thousands of signatures cost memory in
 * proportion to their anchor bytes, not 256 slots per node; the root is dense because every
 * byte of the input passes through it.
 */
final class AhoCorasick {
  /** Receives (pattern index, end position exclusive); returns false to stop the scan. */
  interface Hits {
    boolean hit(int pattern, int end);
  }

  private final int[] rootNext = new int[256];
  private final int[] childStart; // CSR: children of node v are keys[childStart[v] .. childStart[v+1])
  private final byte[] keys;
  private final int[] targets;
  private final int[] fail;
  private final int[] outputLink; // nearest node (self or via fail links) with outputs, or 0
  private final int[][] outputs;

  AhoCorasick(List<byte[]> patterns) {
    List<TreeMap<Integer, Integer>> children = new ArrayList<>();
    List<List<Integer>> out = new ArrayList<>();
    children.add(new TreeMap<>());
    out.add(new ArrayList<>(0));
    for (int p = 0; p < patterns.size(); p++) {
      int v = 0;
      for (byte b : patterns.get(p)) {
        Integer next = children.get(v).get(b & 0xFF);
        if (next == null) {
          next = children.size();
          children.add(new TreeMap<>());
          out.add(new ArrayList<>(0));
          children.get(v).put(b & 0xFF, next);
        }
        v = next;
      }
      out.get(v).add(p);
    }
    int nodes = children.size();
    childStart = new int[nodes + 1];
    int edges = 0;
    for (int v = 0; v < nodes; v++) {
      childStart[v] = edges;
      edges += children.get(v).size();
    }
    childStart[nodes] = edges;
    keys = new byte[edges];
    targets = new int[edges];
    for (int v = 0; v < nodes; v++) {
      int e = childStart[v];
      for (var entry : children.get(v).entrySet()) {
        keys[e] = (byte) (int) entry.getKey();
        targets[e] = entry.getValue();
        e++;
      }
    }
    outputs = new int[nodes][];
    for (int v = 0; v < nodes; v++) {
      outputs[v] = out.get(v).stream().mapToInt(Integer::intValue).toArray();
    }
    Arrays.fill(rootNext, 0);
    fail = new int[nodes];
    outputLink = new int[nodes];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int e = childStart[0]; e < childStart[1]; e++) {
      rootNext[keys[e] & 0xFF] = targets[e];
      fail[targets[e]] = 0;
      queue.add(targets[e]);
    }
    while (!queue.isEmpty()) {
      int v = queue.poll();
      outputLink[v] = outputs[v].length > 0 ? v : outputLink[fail[v]];
      for (int e = childStart[v]; e < childStart[v + 1]; e++) {
        int b = keys[e] & 0xFF;
        int u = targets[e];
        int f = fail[v];
        while (f != 0 && child(f, b) < 0) {
          f = fail[f];
        }
        int g = f == 0 ? rootNext[b] : child(f, b);
        fail[u] = g == u ? 0 : g;
        queue.add(u);
      }
    }
  }

  /** Reports every occurrence in {@code data[0..length)}, in order of end position. */
  void scan(byte[] data, int length, Hits hits) {
    int v = 0;
    for (int i = 0; i < length; i++) {
      int b = data[i] & 0xFF;
      int next;
      while (true) {
        next = v == 0 ? rootNext[b] : child(v, b);
        if (next > 0 || v == 0) {
          break;
        }
        v = fail[v];
      }
      v = next;
      for (int u = outputLink[v]; u != 0; u = outputLink[fail[u]]) {
        for (int p : outputs[u]) {
          if (!hits.hit(p, i + 1)) {
            return;
          }
        }
      }
    }
  }

  private int child(int v, int b) {
    int lo = childStart[v];
    int hi = childStart[v + 1] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int k = keys[mid] & 0xFF;
      if (k == b) {
        return targets[mid];
      }
      if (k < b) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }
}
