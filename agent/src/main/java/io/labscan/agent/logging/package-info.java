/** The agent's Logback set-up, in code (no XML parser in the resident daemon). */
package io.labscan.agent.logging;
