# Makes a Windows 10/11 PC an exam PC of the appliance, once per PC (docs/exam-pcs.md, "Windows"), from an
# administrator PowerShell (or pushed by the site's usual tool as SYSTEM):
#
#   powershell -ExecutionPolicy Bypass -File exam-pc-windows.ps1 -Server https://examroom.lan:8443 -Seat R101-07 `
#       -CaFingerprint SHA256 [-Ca examroom-site-ca.cer] [-Browser Edge|Chrome] [-KioskUser examkiosk] [-AutoLogon]
#   powershell -ExecutionPolicy Bypass -File exam-pc-windows.ps1 -Undo [-RemoveUser]
#
# What it does, each step printed: the site CA into the machine's Trusted Root store (Chrome and Edge read
# it) after checking its SHA-256 fingerprint; the browser policies of policies.json (beside this script)
# for Chrome and Edge under HKLM\SOFTWARE\Policies; the browser's UI language pinned (ApplicationLocaleValue)
# so the whole-screen source has a known title for --auto-select-desktop-capture-source; a local kiosk
# user; a scheduled task that starts the browser in kiosk mode on the seat's terminal page when that user
# logs on, again if it is closed. With -AutoLogon the kiosk user logs on by itself (Winlogon; the password
# is then stored readable by administrators: Sysinternals Autologon stores it encrypted and is preferred).
# Everything written is listed in C:\ProgramData\examroom-exam-pc\manifest.json; -Undo removes it.
#
# This file is plain ASCII on purpose: Windows PowerShell 5.1 reads a script without a BOM in the ANSI code
# page, so the Chinese source title is built from its code points.
# It has not been run on Windows by the people who wrote it (no Windows in their lab): run it on one PC
# and check that PC in the admin console (Devices: "exam PC ready") before rolling it out.
[CmdletBinding()]
param(
  [string]$Server = '',
  [string]$Seat = '',
  [string]$CaFingerprint = '',
  [string]$Ca = '',
  [ValidateSet('Auto', 'Edge', 'Chrome')][string]$Browser = 'Auto',
  [string]$KioskUser = 'examkiosk',
  # The browser's own UI language (not the exam page's, which is Chinese first whatever the browser's).
  [string]$UiLanguage = 'en-US',
  [switch]$AutoLogon,
  [switch]$Undo,
  [switch]$RemoveUser
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2

$StateDir = 'C:\ProgramData\examroom-exam-pc'
$Manifest = Join-Path $StateDir 'manifest.json'
$TaskName = 'examroom-exam-pc'
$PolicyRoots = @('HKLM:\SOFTWARE\Policies\Google\Chrome', 'HKLM:\SOFTWARE\Policies\Microsoft\Edge')
$WinlogonKey = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'

function Say([string]$Text) { Write-Host "  $Text" }

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'exam-pc-windows: run from an administrator PowerShell'
}

# ------------------------------------------------------------------------------------------------ undo
if ($Undo) {
  if (-not (Test-Path $Manifest)) { Write-Host "exam-pc-windows: nothing to undo ($Manifest not found)"; exit 0 }
  $m = Get-Content -Raw $Manifest | ConvertFrom-Json
  Write-Host 'Removing the exam-PC set-up:'
  foreach ($p in $m.policyValues) {
    if (Get-ItemProperty -Path $p.key -Name $p.name -ErrorAction SilentlyContinue) {
      Remove-ItemProperty -Path $p.key -Name $p.name
    }
  }
  foreach ($k in $m.policyLists) { if (Test-Path $k) { Remove-Item -Recurse -Force $k } }
  Say "removed $(@($m.policyValues).Count) browser policy values and $(@($m.policyLists).Count) policy lists"
  if ($m.caThumbprint) {
    $c = Get-ChildItem Cert:\LocalMachine\Root | Where-Object { $_.Thumbprint -eq $m.caThumbprint }
    if ($c) { $c | Remove-Item; Say "removed the site CA ($($m.caThumbprint)) from the Trusted Root store" }
  }
  if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
    Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
    Say "removed the scheduled task $TaskName"
  }
  if ($m.autoLogon) {
    Set-ItemProperty -Path $WinlogonKey -Name AutoAdminLogon -Value '0'
    foreach ($n in 'DefaultUserName', 'DefaultPassword') { Remove-ItemProperty -Path $WinlogonKey -Name $n -ErrorAction SilentlyContinue }
    Say 'turned automatic log-on off'
  }
  if ($RemoveUser -and $m.createdUser) {
    Remove-LocalUser -Name $m.kioskUser
    Say "removed the kiosk user $($m.kioskUser) (its profile folder under C:\Users stays until removed in System settings)"
  } elseif ($m.createdUser) {
    Say "kept the kiosk user $($m.kioskUser) (-RemoveUser removes it)"
  }
  Remove-Item -Recurse -Force $StateDir
  Write-Host 'Done.'
  exit 0
}

# ---------------------------------------------------------------------------------------------- set-up
if (-not $Server -or -not $Seat) {
  throw 'usage: exam-pc-windows.ps1 -Server https://NAME:PORT -Seat DEVICE_ID (-CaFingerprint SHA256 | -Ca FILE) | -Undo'
}
if ($Server -match '^https://[^/]+') { $Origin = $Matches[0] } else { throw "exam-pc-windows: -Server must be the appliance's https:// address, got $Server" }
if ($Seat -notmatch '^[A-Za-z0-9._-]+$') { throw "exam-pc-windows: -Seat must be the terminal's id as in the config (like R101-07), got '$Seat'" }
if (-not $Ca -and -not $CaFingerprint) { throw 'exam-pc-windows: give the site CA fingerprint (-CaFingerprint, from the console or examroom tls status) or the file (-Ca)' }
$StartUrl = "$Origin/terminal/?device=$Seat"
# The whole screen's title in the browser's UI language: what --auto-select-desktop-capture-source must
# match. The UI language is pinned below so it is known; zh-* gives the Chinese title, built from code
# points (this file stays ASCII). Whether a Chinese title matches is not proven (Chromium on Linux reads
# the flag as ASCII and never matches it): keep the default en-US unless a PC shows it works.
if ($UiLanguage -like 'zh*') { $SourceTitle = -join [char[]](0x6574, 0x4E2A, 0x5C4F, 0x5E55) } else { $SourceTitle = 'Entire screen' }

Write-Host "Setting up exam PC $Seat for ${Origin}:"
New-Item -ItemType Directory -Force -Path $StateDir | Out-Null
$record = [ordered]@{ server = $Origin; seat = $Seat; kioskUser = $KioskUser; createdUser = $false; autoLogon = $false; caThumbprint = $null; policyValues = @(); policyLists = @() }

# 1. The site CA, never trusted unchecked.
if (-not $Ca) {
  $Ca = Join-Path $env:TEMP 'examroom-site-ca.cer'
  # Not trusted yet: fetched without checking the server, then checked against the fingerprint.
  [System.Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }
  try { (New-Object System.Net.WebClient).DownloadFile("$Origin/ca.cer", $Ca) }
  finally { [System.Net.ServicePointManager]::ServerCertificateValidationCallback = $null }
}
$cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($Ca)
$got = [BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($cert.RawData)).Replace('-', '').ToLower()
if ($CaFingerprint) {
  $want = $CaFingerprint.Replace(':', '').Replace(' ', '').ToLower()
  if ($got -ne $want) { throw "exam-pc-windows: the site CA has fingerprint $got, not ${want}: stopping, nothing trusted" }
  Say "the site CA's fingerprint matches ($got)"
}
Import-Certificate -FilePath $Ca -CertStoreLocation Cert:\LocalMachine\Root | Out-Null
$record.caThumbprint = $cert.Thumbprint
Say "trusted the site CA in the machine's Trusted Root store ($($cert.Subject))"

# 2. Browser policies, for Chrome and Edge alike (a browser that is not installed ignores its key).
$policyText = Get-Content -Raw -Encoding UTF8 (Join-Path $PSScriptRoot 'policies.json')
$policyText = $policyText.Replace('@ORIGIN@', $Origin).Replace('@START_URL@', $StartUrl)
$policies = $policyText | ConvertFrom-Json
# Windows only: the pinned UI language; no browser kept running in the background (Edge's startup boost
# would make the log-on task's launcher return at once and open a window every 2 s); no first-run pages.
$extra = [ordered]@{ ApplicationLocaleValue = $UiLanguage; StartupBoostEnabled = $false; HideFirstRunExperience = $true }
foreach ($root in $PolicyRoots) {
  if (-not (Test-Path $root)) { New-Item -Path $root -Force | Out-Null }
  $named = @($policies.PSObject.Properties | Where-Object { $_.Name -ne '//' }) + @($extra.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Name = $_.Key; Value = $_.Value } })
  foreach ($p in $named) {
    $v = $p.Value
    if ($v -is [System.Array]) {
      # A list policy is a subkey with values 1, 2, ...
      $key = Join-Path $root $p.Name
      if (Test-Path $key) { Remove-Item -Recurse -Force $key }
      New-Item -Path $key -Force | Out-Null
      for ($i = 0; $i -lt $v.Count; $i++) { New-ItemProperty -Path $key -Name ($i + 1) -Value ([string]$v[$i]) -PropertyType String -Force | Out-Null }
      $record.policyLists += $key
    } elseif ($v -is [bool]) {
      New-ItemProperty -Path $root -Name $p.Name -Value ([int]$v) -PropertyType DWord -Force | Out-Null
      $record.policyValues += [ordered]@{ key = $root; name = $p.Name }
    } elseif ($v -is [int] -or $v -is [long]) {
      New-ItemProperty -Path $root -Name $p.Name -Value ([int]$v) -PropertyType DWord -Force | Out-Null
      $record.policyValues += [ordered]@{ key = $root; name = $p.Name }
    } else {
      New-ItemProperty -Path $root -Name $p.Name -Value ([string]$v) -PropertyType String -Force | Out-Null
      $record.policyValues += [ordered]@{ key = $root; name = $p.Name }
    }
  }
  Say "wrote $(@($named).Count) policies under $root (only $Origin; camera and screen capture for it alone; no dev tools, downloads, printing, extensions, password manager, translation; UI language $UiLanguage)"
}

# 3. The kiosk user.
if (-not (Get-LocalUser -Name $KioskUser -ErrorAction SilentlyContinue)) {
  $bytes = New-Object byte[] 18
  [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
  $plain = [Convert]::ToBase64String($bytes) + 'a1!'
  $secure = ConvertTo-SecureString $plain -AsPlainText -Force
  New-LocalUser -Name $KioskUser -Password $secure -FullName 'examroom exam PC' -Description 'Runs the exam browser only' -PasswordNeverExpires -UserMayNotChangePassword | Out-Null
  # Users (by SID: the group's name is translated on a Chinese Windows); already a member is fine.
  try { Add-LocalGroupMember -Group (Get-LocalGroup -SID 'S-1-5-32-545') -Member $KioskUser }
  catch { if ($_.FullyQualifiedErrorId -notlike 'MemberExists*') { throw } }
  $record.createdUser = $true
  Say "created the local kiosk user $KioskUser (a standard user)"
} else {
  $plain = $null
  Say "the kiosk user $KioskUser exists"
}

# 4. The browser, in kiosk mode, when the kiosk user logs on (and again if it is closed).
$edge = @("${env:ProgramFiles(x86)}\Microsoft\Edge\Application\msedge.exe", "$env:ProgramFiles\Microsoft\Edge\Application\msedge.exe") | Where-Object { Test-Path $_ } | Select-Object -First 1
$chrome = @("$env:ProgramFiles\Google\Chrome\Application\chrome.exe", "${env:ProgramFiles(x86)}\Google\Chrome\Application\chrome.exe") | Where-Object { Test-Path $_ } | Select-Object -First 1
if ($Browser -eq 'Auto') { if ($chrome) { $Browser = 'Chrome' } else { $Browser = 'Edge' } }
if ($Browser -eq 'Chrome') { $exe = $chrome } else { $exe = $edge }
if (-not $exe) { throw "exam-pc-windows: $Browser is not installed on this PC" }
$flags = @('--kiosk', "`"$StartUrl`"", '--no-first-run', '--noerrdialogs', '--disable-session-crashed-bubble', "--auto-select-desktop-capture-source=`"$SourceTitle`"")
if ($Browser -eq 'Edge') { $flags += '--edge-kiosk-type=fullscreen' }
$launcher = Join-Path $StateDir 'start-exam-browser.cmd'
$lines = @('@echo off', 'rem The exam browser (set up by exam-pc-windows.ps1), started again if it is closed.', ':again', "`"$exe`" $($flags -join ' ')", 'timeout /t 2 /nobreak >nul', 'goto again')
# The .cmd is read in the OEM code page: the Chinese title, if chosen, goes through chcp 65001 first.
if ($SourceTitle -ne 'Entire screen') { $lines = @('@echo off', 'chcp 65001 >nul') + $lines[1..($lines.Count - 1)] }
[System.IO.File]::WriteAllLines($launcher, $lines, (New-Object System.Text.UTF8Encoding($false)))
Say "wrote $launcher ($Browser in kiosk mode on $StartUrl, whole screen picked by itself: '$SourceTitle')"
$action = New-ScheduledTaskAction -Execute 'cmd.exe' -Argument "/c `"$launcher`""
$trigger = New-ScheduledTaskTrigger -AtLogOn -User $KioskUser
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
$taskUser = New-ScheduledTaskPrincipal -UserId $KioskUser -LogonType Interactive -RunLevel Limited
Register-ScheduledTask -Force -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings -Principal $taskUser | Out-Null
Say "registered the scheduled task ${TaskName}: starts the browser when $KioskUser logs on"

# 5. Automatic log-on, only when asked (see the header on where the password ends up).
if ($AutoLogon) {
  if (-not $plain) { throw "exam-pc-windows: -AutoLogon needs the kiosk user's password: it exists already, so set log-on with Sysinternals Autologon instead" }
  Set-ItemProperty -Path $WinlogonKey -Name AutoAdminLogon -Value '1'
  Set-ItemProperty -Path $WinlogonKey -Name DefaultUserName -Value $KioskUser
  Set-ItemProperty -Path $WinlogonKey -Name DefaultPassword -Value $plain
  $record.autoLogon = $true
  Say "the PC logs on as $KioskUser by itself (Winlogon)"
} else {
  Say "automatic log-on not set: give $KioskUser a password (net user $KioskUser *), then run Sysinternals Autologon for it (docs/exam-pcs.md)"
}

$record | ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 $Manifest
Say "recorded what was done in $Manifest (-Undo removes it)"
Write-Host "Done. Log on as $KioskUser (or restart): the browser opens $StartUrl full screen and shows a pairing code."
Write-Host 'Approve the room''s PCs together in the admin console (Devices, bulk approval by room) or: examroom device approve --room ROOM --all'
