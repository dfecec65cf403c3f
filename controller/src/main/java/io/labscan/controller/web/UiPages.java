package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Role;
import java.util.List;
import java.util.Locale;

/**
 * The operator pages and the chrome they share, assembled once when the server starts.
 *
 * <p>Each page's file {@code NAME.html} holds only its {@code <main>} element; {@code layout.html}
 * holds everything around it (head, stylesheet, scripts, the header with the navigation), so the
 * header exists once and the navigation is built from {@link #PAGES}, the only list of pages:
 * the routes, the page scripts' access roles and the navigation links all come from it. Adding a
 * page is one line in {@link #PAGES} plus its {@code NAME.html} and {@code NAME.js}
 * (docs/dashboard.md). Links to admin pages carry {@code data-admin}; {@code app.js} removes them
 * for viewers (the server refuses those pages to viewers anyway).
 *
 * <p>Why at start-up rather than in the browser: the header is in the HTML before any script
 * runs, so pages look the same while the session loads, and a page cannot render a navigation
 * different from the routes the server actually has.
 */
final class UiPages {
  /**
   * One page.
   *
   * @param path the route (Javalin syntax)
   * @param title the page title and, for navigation pages, the link text
   * @param name the base name of its files: {@code NAME.html} (its {@code <main>}) and {@code NAME.js}
   * @param role who may open it
   * @param section the navigation link marked current on this page: its own path for a
   *     navigation page, the parent's path for a detail page such as one host
   */
  record Page(String path, String title, String name, Role role, String section) {
    Page {
      requireNonNull(path, "path");
      requireNonNull(title, "title");
      requireNonNull(name, "name");
      requireNonNull(role, "role");
      requireNonNull(section, "section");
      if (!name.matches("[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException("page file name " + name + " must be lower-case letters, digits and -");
      }
    }

    /** A page with its own link in the navigation. */
    static Page nav(String path, String title, String name, Role role) {
      return new Page(path, title, name, role, path);
    }

    /** A page without its own link, shown as part of the navigation page {@code section}. */
    static Page detail(String path, String title, String name, Role role, String section) {
      return new Page(path, title, name, role, section);
    }

    boolean inNav() {
      return section.equals(path);
    }
  }

  /** Every page behind the login, navigation pages in the order of the navigation. */
  static final List<Page> PAGES = List.of(
      Page.nav("/", "Overview", "overview", Role.VIEWER),
      Page.nav("/labs", "Labs", "labs", Role.VIEWER),
      Page.nav("/hosts", "Hosts", "hosts", Role.VIEWER),
      Page.detail("/hosts/{hostId}", "Host", "host", Role.VIEWER, "/hosts"),
      Page.nav("/infected", "Infected", "infected", Role.VIEWER),
      Page.nav("/triage", "Triage", "triage", Role.ADMIN),
      Page.nav("/schedules", "Schedules", "schedules", Role.VIEWER),
      Page.nav("/complaints", "Complaints", "complaints", Role.VIEWER),
      Page.nav("/reports", "Reports", "reports", Role.VIEWER),
      Page.detail("/reports/print", "Compliance report", "reports", Role.VIEWER, "/reports"),
      Page.detail("/complaints/{complaintId}", "Complaint", "complaints", Role.VIEWER, "/complaints"),
      Page.nav("/settings", "Settings", "settings", Role.ADMIN),
      Page.nav("/tokens", "Tokens", "tokens", Role.ADMIN),
      Page.nav("/audit", "Audit", "audit", Role.ADMIN));

  /** Pages about every lab, hidden from lab-scoped roles (whose API calls there are refused). */
  private static final java.util.Set<String> ALL_LABS = java.util.Set.of("/complaints");

  private UiPages() {}

  /**
   * The whole document of {@code page}: {@code layout} with the title, the page script, the
   * navigation (the current section marked) and the page's {@code <main>} filled in.
   *
   * @throws IllegalStateException when the page file is not a single {@code <main>} element or
   *     the layout lacks a placeholder (a build mistake: the server does not start)
   */
  static String assemble(Page page, List<Page> pages, String layout, String main) {
    requireNonNull(page, "page");
    String body = main.strip();
    if (!body.startsWith("<main") || !body.endsWith("</main>") || body.toLowerCase(Locale.ROOT).contains("<header")) {
      throw new IllegalStateException("UI file " + page.name() + ".html must hold only the page's <main> element;"
          + " the header and navigation come from layout.html and UiPages.PAGES");
    }
    for (String placeholder : List.of("{{title}}", "{{script}}", "{{nav}}", "{{main}}")) {
      if (!layout.contains(placeholder)) {
        throw new IllegalStateException("layout.html lacks " + placeholder);
      }
    }
    // The page's own markup goes in last, so text in it that looks like a placeholder stays as it is.
    return layout.replace("{{title}}", escape(page.title()))
        .replace("{{script}}", "/assets/" + page.name() + ".js")
        .replace("{{nav}}", nav(page, pages))
        .replace("{{main}}", body);
  }

  /** The navigation links, one a line, the page's section marked current. */
  static String nav(Page page, List<Page> pages) {
    StringBuilder out = new StringBuilder();
    for (Page p : pages) {
      if (!p.inNav()) {
        continue;
      }
      out.append("    <a href=\"").append(escape(p.path())).append('"');
      if (p.role() == Role.ADMIN) {
        out.append(" data-admin");
      }
      if (ALL_LABS.contains(p.path())) {
        out.append(" data-all-labs");
      }
      if (p.path().equals(page.section())) {
        out.append(" class=\"current\" aria-current=\"page\"");
      }
      out.append('>').append(escape(p.title())).append("</a>\n");
    }
    return out.toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
