/**
 * Running the agent as a real Windows service (LocalSystem, started at boot by the service
 * control manager). {@link io.labscan.agent.platform.windows.ServiceLifecycle} is the state
 * machine (control codes in, service statuses out) and runs anywhere;
 * {@link io.labscan.agent.platform.windows.WindowsService} connects it to the SCM through
 * JNA and runs only on Windows.
 */
package io.labscan.agent.platform.windows;
