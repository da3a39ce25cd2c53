; Inno Setup script: dxdesk for one Windows user, without administrator rights.
;
; Build on Windows after the PyInstaller bundle (packaging/build_dist.py does both and passes the defines):
;   ISCC /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DBundleDir=..\dist\dxdesk /DOutputDir=..\dist packaging\dxdesk.iss
; Needs Inno Setup 6 (6.3 or later recommended). Output: dist\dxdesk-<version>-setup.exe.
;
; What it does:
; - installs into %LOCALAPPDATA%\Programs\dxdesk ({userpf}) for the current user only: no UAC prompt,
;   nothing written to Program Files or HKLM; registers an uninstaller under HKCU;
; - a Start-menu shortcut (and, if ticked, one on the desktop);
; - upgrading: the same AppId, so a newer setup replaces the program files in place (the old _internal
;   folder is removed first, so no file of the old version is left behind, e.g. a renamed migration);
;   a running dxdesk is asked to close first (Restart Manager);
; - never touches the user's data folder %LOCALAPPDATA%\dxdesk (database, backups): neither on upgrade
;   nor on uninstall. The first start of a new version upgrades the database itself and keeps a copy
;   of the old one beside it.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (packaging/build_dist.py does)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\dxdesk"
#endif
#ifndef IconFile
  #define IconFile "..\resources\dxdesk.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
; Never change AppId: it is how a newer setup finds the installed dxdesk to upgrade.
AppId={{FA1A34FA-BB0A-4027-9813-0A68E300FBAC}
AppName=dxdesk
AppVersion={#AppVersion}
AppVerName=dxdesk {#AppVersion}
AppPublisher=dxdesk team
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName=dxdesk
VersionInfoDescription=dxdesk セットアップ
; Per-user install without administrator rights; {userpf} is %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={userpf}\dxdesk
DisableDirPage=yes
DefaultGroupName=dxdesk
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
#if Ver < EncodeVer(6, 3, 0)
ArchitecturesAllowed=x64
ArchitecturesInstallIn64BitMode=x64
#else
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
#endif
MinVersion=10.0
CloseApplications=yes
RestartApplications=no
UninstallDisplayName=dxdesk {#AppVersion}
UninstallDisplayIcon={app}\dxdesk.exe
SetupIconFile={#IconFile}
OutputDir={#OutputDir}
OutputBaseFilename=dxdesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
SetupLogging=yes

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[CustomMessages]
japanese.DesktopIcon=デスクトップにアイコンを作成する
japanese.LaunchApp=dxdesk を起動する
japanese.DataKept=dxdesk をアンインストールしました。%n%n入力したデータとバックアップ（%1）は削除していません。再インストールすれば、そのまま使えます。%n不要になった場合は、このフォルダを手動で削除してください。

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[InstallDelete]
; The previous version's program files (only ours: {app} is dxdesk's own folder). Data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\dxdesk"; Filename: "{app}\dxdesk.exe"; WorkingDir: "{app}"; Comment: "施策評価シートの入力・提出"
Name: "{autodesktop}\dxdesk"; Filename: "{app}\dxdesk.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\dxdesk.exe"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Files the program may have created inside its own folder. The data folder is NOT listed here.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\dxdesk')]),
      mbInformation, MB_OK);
end;
