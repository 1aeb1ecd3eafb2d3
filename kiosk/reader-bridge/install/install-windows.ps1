# Installs the ID-card reader bridge on a Windows kiosk PC (docs/kiosk-api.md "Installing the bridge"),
# from an administrator PowerShell:
#   .\install-windows.ps1 -Url https://examroom.local -Kiosk K1 -Port COM3 [-Ca examroom-site-ca.cer | -CaFingerprint SHA256] [-PhotoDecoder "C:\vendor\wlt2bmp.exe {in} {out}"]
# The site CA goes into the machine's Trusted Root store (Chrome and Edge read it) and to the bridge
# (NODE_EXTRA_CA_CERTS); the bridge runs at boot as a scheduled task under SYSTEM, restarted if it stops;
# its token lives in C:\ProgramData\examroom-reader-bridge, readable by SYSTEM and Administrators only.
param(
  [Parameter(Mandatory = $true)][string]$Url,
  [Parameter(Mandatory = $true)][string]$Kiosk,
  [string]$Port = 'COM3',
  [string]$Ca = '',
  [string]$CaFingerprint = '',
  [string]$PhotoDecoder = ''
)
$ErrorActionPreference = 'Stop'
$node = (Get-Command node -ErrorAction SilentlyContinue).Source
if (-not $node) { throw 'Node.js 18 or newer is needed (install the LTS .msi from nodejs.org)' }
$major = [int](& $node -p 'process.versions.node.split(".")[0]')
if ($major -lt 18) { throw "Node.js $major is too old: 18 or newer is needed" }
$dir = 'C:\ProgramData\examroom-reader-bridge'
New-Item -ItemType Directory -Force -Path $dir | Out-Null
# Only SYSTEM and Administrators: the token file is the kiosk reader's credential.
icacls $dir /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null
Copy-Item -Force (Join-Path $PSScriptRoot 'examroom-reader-bridge.mjs') $dir

if (-not $Ca -and $CaFingerprint) {
  $Ca = Join-Path $env:TEMP 'examroom-site-ca.cer'
  # Not trusted yet: downloaded without checking, then checked against the fingerprint an admin read in the console.
  [System.Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }
  (New-Object System.Net.WebClient).DownloadFile("$Url/ca.cer", $Ca)
  [System.Net.ServicePointManager]::ServerCertificateValidationCallback = $null
  $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($Ca)
  $got = [BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($cert.RawData)).Replace('-', '').ToLower()
  $want = $CaFingerprint.Replace(':', '').ToLower()
  if ($got -ne $want) { throw "the CA at $Url/ca.cer has fingerprint $got, not $want: stopping" }
}
$extraCa = ''
if ($Ca) {
  certutil -addstore -f Root $Ca | Out-Null
  $pem = Join-Path $dir 'site-ca.pem'
  certutil -encode -f $Ca $pem | Out-Null
  $extraCa = $pem
}
$config = @{ url = $Url; kiosk = $Kiosk; port = $Port; baud = 115200; tokenFile = (Join-Path $dir 'token.json'); photoDecoder = $(if ($PhotoDecoder) { $PhotoDecoder } else { $null }) }
$config | ConvertTo-Json | Set-Content -Encoding UTF8 (Join-Path $dir 'bridge.json')
$cmd = Join-Path $dir 'run-bridge.cmd'
@"
@echo off
$(if ($extraCa) { "set NODE_EXTRA_CA_CERTS=$extraCa" })
"$node" "$dir\examroom-reader-bridge.mjs" run --config "$dir\bridge.json" >> "$dir\bridge.log" 2>&1
"@ | Set-Content -Encoding ASCII $cmd

if (-not (Test-Path (Join-Path $dir 'token.json'))) {
  Write-Host "Pairing: approve the code below in the admin console (Devices) as $Kiosk.reader"
  if ($extraCa) { $env:NODE_EXTRA_CA_CERTS = $extraCa }
  & $node (Join-Path $dir 'examroom-reader-bridge.mjs') pair --config (Join-Path $dir 'bridge.json')
  if ($LASTEXITCODE -ne 0) { throw 'pairing did not complete' }
}
$action = New-ScheduledTaskAction -Execute $cmd
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -ExecutionTimeLimit ([TimeSpan]::Zero) -AllowStartIfOnBatteries
Register-ScheduledTask -Force -TaskName 'examroom-reader-bridge' -Action $action -Trigger $trigger -Settings $settings -User 'SYSTEM' -RunLevel Highest | Out-Null
Start-ScheduledTask -TaskName 'examroom-reader-bridge'
Write-Host "installed; check $dir\bridge.log and the kiosk's row in the console's device list"
