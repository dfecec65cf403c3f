#Requires -RunAsAdministrator
#Requires -Version 5.1
<#
.SYNOPSIS
  Installs the LabScan agent as a Windows service (LabScanAgent, LocalSystem, automatic start).

.DESCRIPTION
  Copies labscan-agent.jar and a Java runtime to C:\Program Files\LabScan, writes
  C:\ProgramData\LabScan\agent.yaml (readable by SYSTEM and Administrators only: it holds the
  enrolment token), registers the service 'LabScanAgent' to start at boot as LocalSystem with
  restart-on-failure recovery actions, and starts it. The agent enrols with the controller on
  its first start. Run it again to upgrade or re-enrol.

  C:\ProgramData\LabScan and everything in it are owned by Administrators and writable by
  SYSTEM and Administrators only (inheritance from C:\ProgramData cut off). The script refuses
  to install into an existing C:\ProgramData\LabScan that another user owns or that holds a
  link: the service loads native libraries unpacked there.

.PARAMETER Controller
  The controller as HOST:PORT, e.g. labscan.example.edu:7443.
.PARAMETER Token
  The one-time enrolment token from the controller.
.PARAMETER Lab
  Optional lab (group) this machine belongs to.
.PARAMETER Jar
  labscan-agent.jar; default: next to this script.
.PARAMETER Jre
  Folder of a Java 17+ runtime (with bin\java.exe) to copy to C:\Program Files\LabScan\jre;
  default: the 'jre' folder next to this script. See README.md for where it comes from.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File install.ps1 -Controller labscan.example.edu:7443 -Token 8f1c0d -Lab physics
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string] $Controller,
  [Parameter(Mandatory = $true)][string] $Token,
  [string] $Lab = '',
  [string] $Jar = (Join-Path $PSScriptRoot 'labscan-agent.jar'),
  [string] $Jre = (Join-Path $PSScriptRoot 'jre')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$ServiceName = 'LabScanAgent'
$InstallDir = Join-Path $env:ProgramFiles 'LabScan'
$DataDir = Join-Path $env:ProgramData 'LabScan'
$StateDir = Join-Path $DataDir 'agent'
$ConfigFile = Join-Path $DataDir 'agent.yaml'

# --- Validate input before touching the machine ---------------------------------------------
if (-not ($Controller -match '^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$') -or
    [int]$Matches[2] -lt 1 -or [int]$Matches[2] -gt 65535) {
  throw "Controller '$Controller' is not HOST:PORT (for example labscan.example.edu:7443)."
}
if ($Token -notmatch '^[\x21-\x7E]+$') {
  throw 'The token must be one word of printable ASCII characters.'
}
if ($Lab -match '[\x00-\x1F\x7F]') {
  throw 'The lab name must not contain control characters.'
}
if (-not (Test-Path -LiteralPath $Jar -PathType Leaf)) {
  throw "labscan-agent.jar not found at '$Jar' (pass -Jar)."
}
$JreJava = Join-Path $Jre 'bin\java.exe'
if (-not (Test-Path -LiteralPath $JreJava -PathType Leaf)) {
  throw "No Java runtime at '$Jre' (expected bin\java.exe; pass -Jre). See README.md."
}

# --- The data folder must be the administrators' before anything goes into it -------------
# Every user may create folders in C:\ProgramData. One who made C:\ProgramData\LabScan (or a
# junction by that name) before the first install would own it and could put files in it; the
# service runs as LocalSystem and loads native libraries (JNA, SQLite) unpacked under it. So a
# folder that exists already must, with everything in it, belong to LocalSystem, the
# Administrators group, TrustedInstaller or the administrator running this script, and hold
# no link (reparse point); otherwise nothing is installed.
$TrustedOwners = @(
  'S-1-5-18',                                                          # LocalSystem
  'S-1-5-32-544',                                                      # Administrators
  'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',    # TrustedInstaller
  [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value # whoever runs this
)
function Assert-TrustedTree([string] $Path) {
  # Walks by hand, one level at a time: Windows PowerShell's -Recurse follows junctions.
  $item = Get-Item -LiteralPath $Path -Force
  if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
    throw "Refusing to install: '$Path' is a link (reparse point). Another user may have made it; inspect it, delete $DataDir and run install.ps1 again."
  }
  $owner = (Get-Acl -LiteralPath $Path).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
  if ($TrustedOwners -notcontains $owner) {
    throw "Refusing to install: '$Path' belongs to $owner, not to SYSTEM or Administrators. Another user may have put files there for the service to load; inspect it, delete $DataDir and run install.ps1 again."
  }
  if ($item.PSIsContainer) {
    foreach ($child in Get-ChildItem -LiteralPath $Path -Force) { Assert-TrustedTree $child.FullName }
  }
}
if (Test-Path -LiteralPath $DataDir) { Assert-TrustedTree $DataDir }

# --- Stop an existing installation so its files can be replaced ----------------------------
$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') {
  Stop-Service -Name $ServiceName -Force
  $existing.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
}

# --- Program files ------------------------------------------------------------------------
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item -LiteralPath $Jar -Destination (Join-Path $InstallDir 'labscan-agent.jar') -Force
$InstalledJre = Join-Path $InstallDir 'jre'
if ((Resolve-Path -LiteralPath $Jre).Path -ne $InstalledJre) {
  if (Test-Path -LiteralPath $InstalledJre) { Remove-Item -LiteralPath $InstalledJre -Recurse -Force }
  Copy-Item -LiteralPath $Jre -Destination $InstalledJre -Recurse
}
$Java = Join-Path $InstalledJre 'bin\java.exe'

# --- Config and state: SYSTEM and Administrators only ---------------------------------------
function Set-PrivateAcl([string] $Path) {
  # Inheritance off, every inherited entry dropped (Users would otherwise read the token),
  # then full control for LocalSystem and the Administrators group, by SID (any UI language).
  $acl = New-Object System.Security.AccessControl.DirectorySecurity
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
    $id = New-Object System.Security.Principal.SecurityIdentifier($sid)
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule(
      $id, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
    $acl.AddAccessRule($rule)
  }
  $acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')))
  Set-Acl -LiteralPath $Path -AclObject $acl
}

New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
# Ownership of the folder and everything in it to the Administrators group (/A), so the ACLs
# below can be written whatever they say now. No /D: its answer is localised (Y, J, O...),
# and Assert-TrustedTree has already listed every folder, so takeown has nothing to ask.
& takeown.exe /F $DataDir /A /R | Out-Null
if ($LASTEXITCODE -ne 0) { throw "takeown.exe failed with exit code $LASTEXITCODE on $DataDir." }
Set-PrivateAcl $DataDir
# Every subfolder and file: explicit entries and blocked inheritance removed (/reset), so each
# holds exactly what it inherits from $DataDir: SYSTEM and Administrators, no user write.
if (Get-ChildItem -LiteralPath $DataDir -Force) {
  & icacls.exe (Join-Path $DataDir '*') /reset /T /C /Q | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "icacls.exe /reset failed with exit code $LASTEXITCODE under $DataDir." }
}
New-Item -ItemType Directory -Force -Path (Join-Path $StateDir 'tmp') | Out-Null

function ConvertTo-YamlScalar([string] $Value) {
  # Single-quoted YAML: nothing is special inside but the quote, written twice.
  "'" + $Value.Replace("'", "''") + "'"
}

$lines = @(
  "# Written by install.ps1 on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')). Holds the enrolment token.",
  "controller: $(ConvertTo-YamlScalar $Controller)",
  "token: $(ConvertTo-YamlScalar $Token)"
)
if ($Lab) { $lines += "lab: $(ConvertTo-YamlScalar $Lab)" }
$lines += "stateDir: $(ConvertTo-YamlScalar $StateDir)"
# UTF-8 without a byte-order mark (Windows PowerShell's -Encoding UTF8 would add one).
[System.IO.File]::WriteAllText($ConfigFile, (($lines -join "`n") + "`n"), (New-Object System.Text.UTF8Encoding($false)))

# --- The service command line -------------------------------------------------------------
function ConvertTo-ArgumentString([string] $Value) {
  if ($Value -match '[\s"]') { '"' + $Value.Replace('"', '\"') + '"' } else { $Value }
}

$jvmFlags = foreach ($line in Get-Content -LiteralPath (Join-Path $PSScriptRoot 'jvm.options')) {
  $flag = ($line -replace '#.*$', '').Trim()
  if ($flag) { ConvertTo-ArgumentString ($flag.Replace('@STATE_DIR@', $StateDir)) }
}
# Class-data sharing: JDK 19+ keeps an auto-created archive in the state folder; 17 maps the
# JDK's default archive. The runtime's 'release' file names its version.
$release = Get-Content -LiteralPath (Join-Path $InstalledJre 'release') -ErrorAction SilentlyContinue |
  Where-Object { $_ -match '^JAVA_VERSION="(\d+)' } | Select-Object -First 1
$feature = if ($release -and $release -match '^JAVA_VERSION="(\d+)') { [int]$Matches[1] } else { 17 }
if ($feature -ge 19) {
  $jvmFlags += ConvertTo-ArgumentString "-XX:SharedArchiveFile=$(Join-Path $StateDir 'agent.jsa')"
  $jvmFlags += '-XX:+AutoCreateSharedArchive'
} else {
  $jvmFlags += '-Xshare:auto'
}

$binPath = (@(
  (ConvertTo-ArgumentString $Java)
  $jvmFlags
  '-jar', (ConvertTo-ArgumentString (Join-Path $InstallDir 'labscan-agent.jar'))
  'service', '--config', (ConvertTo-ArgumentString $ConfigFile)
) | ForEach-Object { $_ }) -join ' '

# --- Register (or update) the service -------------------------------------------------------
# binPath travels as one .NET string (New-Service, or Win32_Service.Change, which calls
# ChangeServiceConfig): Windows PowerShell 5.1 does not escape embedded quotes when it passes
# arguments to sc.exe, so `sc.exe create ... binPath= "\"C:\Program Files\...\""` is fragile.
if ($existing) {
  $change = Get-CimInstance -ClassName Win32_Service -Filter "Name='$ServiceName'" |
    Invoke-CimMethod -MethodName Change -Arguments @{ PathName = $binPath; StartMode = 'Automatic' }
  if ($change.ReturnValue -ne 0) { throw "Updating the service failed (Win32_Service.Change returned $($change.ReturnValue))." }
} else {
  New-Service -Name $ServiceName -BinaryPathName $binPath -DisplayName 'LabScan agent' `
    -Description 'LabScan endpoint agent: reports mass-mailer evidence to the LabScan controller.' `
    -StartupType Automatic | Out-Null
}
# Recovery: restart one minute after each crash; forget the count after a day without one.
# failureflag 1: also when the agent stops itself with an error (service-specific exit code),
# as it does with 75 after staying over its memory budget (ServiceLifecycle, docs/reliability.md).
& sc.exe failure $ServiceName reset= 86400 actions= restart/60000/restart/60000/restart/60000 | Out-Null
if ($LASTEXITCODE -ne 0) { throw "sc.exe failure failed with exit code $LASTEXITCODE." }
& sc.exe failureflag $ServiceName 1 | Out-Null
if ($LASTEXITCODE -ne 0) { throw "sc.exe failureflag failed with exit code $LASTEXITCODE." }

Start-Service -Name $ServiceName
(Get-Service -Name $ServiceName).WaitForStatus('Running', [TimeSpan]::FromSeconds(60))
Write-Host "LabScan agent installed and running as service '$ServiceName'. Log: $(Join-Path $StateDir 'logs\agent.log')"
