#Requires -RunAsAdministrator
#Requires -Version 5.1
<#
.SYNOPSIS
  Removes the LabScan agent service and program files.
.PARAMETER Purge
  Also delete C:\ProgramData\LabScan (agent.yaml with the token, host identity, undelivered
  reports, logs). Without it they stay, so a reinstall is the same host to the controller.
#>
[CmdletBinding()]
param([switch] $Purge)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$ServiceName = 'LabScanAgent'
$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
  if ($service.Status -ne 'Stopped') {
    Stop-Service -Name $ServiceName -Force
    $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
  }
  & sc.exe delete $ServiceName | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "sc.exe delete failed with exit code $LASTEXITCODE." }
}

$InstallDir = Join-Path $env:ProgramFiles 'LabScan'
# The agent's SMTP quarantine (docs/egress.md, "Quarantine") must not outlive the agent: its
# Windows Filtering Platform filters, sublayer and provider are persistent, so the agent itself
# removes them (only objects of LabScan's own provider) while its files are still here.
$InstalledJava = Join-Path $InstallDir 'jre\bin\java.exe'
$InstalledJar = Join-Path $InstallDir 'labscan-agent.jar'
if ((Test-Path -LiteralPath $InstalledJava) -and (Test-Path -LiteralPath $InstalledJar)) {
  & $InstalledJava -jar $InstalledJar quarantine --remove-rules
  if ($LASTEXITCODE -ne 0) {
    throw "labscan-agent quarantine --remove-rules failed (exit $LASTEXITCODE): the SMTP quarantine's WFP filters are still in place. The program files were kept so that running this script again (as an administrator) can finish."
  }
}
# Older agents blocked with a Windows Firewall rule; remove it too (no error when absent).
& "$env:SystemRoot\System32\netsh.exe" advfirewall firewall delete rule name=LabScan-SMTP-Quarantine | Out-Null
if (Test-Path -LiteralPath $InstallDir) { Remove-Item -LiteralPath $InstallDir -Recurse -Force }

$DataDir = Join-Path $env:ProgramData 'LabScan'
if ($Purge) {
  if (Test-Path -LiteralPath $DataDir) { Remove-Item -LiteralPath $DataDir -Recurse -Force }
  Write-Host 'LabScan agent removed, with its configuration, state and logs.'
} else {
  Write-Host "LabScan agent removed; kept $DataDir (-Purge deletes it)."
}
