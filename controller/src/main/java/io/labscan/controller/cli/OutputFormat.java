package io.labscan.controller.cli;

/** Output formats of the report commands. */
enum OutputFormat { TABLE, JSON }
