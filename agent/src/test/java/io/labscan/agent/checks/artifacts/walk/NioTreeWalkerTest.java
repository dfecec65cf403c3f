package io.labscan.agent.checks.artifacts.walk;

class NioTreeWalkerTest extends TreeWalkerContract {
  @Override
  TreeWalker walker() {
    return TreeWalker.portable();
  }
}
