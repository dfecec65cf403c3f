package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

/** The two dialects LabScan ships ({@link Dialect#SQLITE}, {@link Dialect#POSTGRESQL}). */
final class StandardDialect implements Dialect {
  private final String name;
  private final String greatest;
  private final String least;
  private final String jsonArray;
  private final String rowId;
  private final String position;
  private final String bytes;
  private final String text;
  private final String joinInOrder;

  StandardDialect(String name, String greatest, String least, String jsonArray, String rowId,
      String position, String bytes, String text, String joinInOrder) {
    this.bytes = requireNonNull(bytes, "bytes");
    this.text = requireNonNull(text, "text");
    this.joinInOrder = requireNonNull(joinInOrder, "joinInOrder");
    this.name = requireNonNull(name, "name");
    this.greatest = requireNonNull(greatest, "greatest");
    this.least = requireNonNull(least, "least");
    this.jsonArray = requireNonNull(jsonArray, "jsonArray");
    this.rowId = requireNonNull(rowId, "rowId");
    this.position = requireNonNull(position, "position");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String greatest(String... operands) {
    return call(greatest, operands);
  }

  @Override
  public String least(String... operands) {
    return call(least, operands);
  }

  private static String call(String function, String... operands) {
    if (operands.length < 2) {
      throw new IllegalArgumentException(function + " needs two operands or more");
    }
    return function + "(" + String.join(", ", operands) + ")";
  }

  @Override
  public String jsonArrayValues(String alias) {
    if (!alias.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not an SQL alias: " + alias);
    }
    return String.format(jsonArray, alias);
  }

  @Override
  public String rowId() {
    return rowId;
  }

  @Override
  public String containsText(String expression) {
    return position + "(" + requireNonNull(expression, "expression") + ", ?) > 0";
  }

  @Override
  public String bytes(String textExpression) {
    return String.format(bytes, requireNonNull(textExpression, "textExpression"));
  }

  @Override
  public String text(String bytesExpression) {
    return String.format(text, requireNonNull(bytesExpression, "bytesExpression"));
  }

  @Override
  public String joinInOrder() {
    return joinInOrder;
  }

  @Override
  public String toString() {
    return name;
  }
}
