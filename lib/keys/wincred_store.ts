/**
 * The Windows Credential Manager store: one generic credential per profile,
 * target `aec:PROFILE`, the access key id as its user name, through the Win32
 * credential functions (CredReadW, CredWriteW, CredDeleteW, CredEnumerateW)
 * called from Windows PowerShell, which every Windows has. The script goes in
 * argv (`-EncodedCommand`, no secret in it); the request, secret included,
 * goes on stdin as JSON, and the answer comes back on stdout as JSON.
 *
 * @module
 */

import { CredentialError, findProgram } from "../support/mod.ts";
import { decodeKeys, encodeKeys, type KeyStore, type StoreContext } from "./store.ts";
import { runTool, toolFailure } from "./tool.ts";

const PREFIX = "aec:";

/** The PowerShell script: one request on stdin, one answer on stdout. */
export const WINCRED_SCRIPT = `
$ErrorActionPreference = 'Stop'
try {
  $request = [Console]::In.ReadToEnd() | ConvertFrom-Json
  Add-Type -Language CSharp -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
public static class AecCredentials {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  private struct Credential {
    public uint Flags; public uint Type; public string TargetName; public string Comment;
    public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
    public uint CredentialBlobSize; public IntPtr CredentialBlob; public uint Persist;
    public uint AttributeCount; public IntPtr Attributes; public string TargetAlias;
    public string UserName;
  }
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredReadW(string target, uint type, uint flags, out IntPtr credential);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredWriteW(ref Credential credential, uint flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredDeleteW(string target, uint type, uint flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  private static extern bool CredEnumerateW(string filter, uint flags, out uint count, out IntPtr list);
  [DllImport("advapi32.dll")]
  private static extern void CredFree(IntPtr buffer);
  private const uint Generic = 1;
  private const uint LocalMachine = 2;
  private const int NotFound = 1168;
  public static string Read(string target) {
    IntPtr pointer;
    if (!CredReadW(target, Generic, 0, out pointer)) {
      int error = Marshal.GetLastWin32Error();
      if (error == NotFound) return null;
      throw new Win32Exception(error);
    }
    try {
      Credential credential = (Credential)Marshal.PtrToStructure(pointer, typeof(Credential));
      byte[] blob = new byte[credential.CredentialBlobSize];
      Marshal.Copy(credential.CredentialBlob, blob, 0, blob.Length);
      return Encoding.UTF8.GetString(blob);
    } finally { CredFree(pointer); }
  }
  public static void Write(string target, string user, string secret) {
    byte[] blob = Encoding.UTF8.GetBytes(secret);
    Credential credential = new Credential();
    credential.Type = Generic;
    credential.TargetName = target;
    credential.UserName = user;
    credential.Persist = LocalMachine;
    credential.CredentialBlobSize = (uint)blob.Length;
    credential.CredentialBlob = Marshal.AllocHGlobal(blob.Length);
    try {
      Marshal.Copy(blob, 0, credential.CredentialBlob, blob.Length);
      if (!CredWriteW(ref credential, 0)) throw new Win32Exception(Marshal.GetLastWin32Error());
    } finally { Marshal.FreeHGlobal(credential.CredentialBlob); }
  }
  public static bool Delete(string target) {
    if (CredDeleteW(target, Generic, 0)) return true;
    int error = Marshal.GetLastWin32Error();
    if (error == NotFound) return false;
    throw new Win32Exception(error);
  }
  public static string[][] List(string filter) {
    uint count;
    IntPtr list;
    if (!CredEnumerateW(filter, 0, out count, out list)) {
      int error = Marshal.GetLastWin32Error();
      if (error == NotFound) return new string[0][];
      throw new Win32Exception(error);
    }
    try {
      List<string[]> found = new List<string[]>();
      for (int i = 0; i < count; i++) {
        IntPtr entry = Marshal.ReadIntPtr(list, i * IntPtr.Size);
        Credential credential = (Credential)Marshal.PtrToStructure(entry, typeof(Credential));
        found.Add(new string[] { credential.TargetName, credential.UserName });
      }
      return found.ToArray();
    } finally { CredFree(list); }
  }
}
'@
  switch ($request.Action) {
    'get' {
      $secret = [AecCredentials]::Read($request.Target)
      $answer = @{ Found = ($null -ne $secret); Secret = $secret }
    }
    'put' {
      [AecCredentials]::Write($request.Target, $request.User, $request.Secret)
      $answer = @{ Done = $true }
    }
    'remove' { $answer = @{ Found = [AecCredentials]::Delete($request.Target) } }
    'list' {
      $answer = @{ Entries = @([AecCredentials]::List($request.Target) |
        ForEach-Object { ,@{ Target = $_[0]; User = $_[1] } }) }
    }
  }
  [Console]::Out.Write(($answer | ConvertTo-Json -Compress -Depth 4))
} catch {
  [Console]::Error.WriteLine($_.Exception.Message)
  exit 1
}
`;

/** `-EncodedCommand`'s form of the script: base64 of its UTF-16LE bytes. */
function encodedScript(): string {
  const bytes = new Uint8Array(WINCRED_SCRIPT.length * 2);
  for (let i = 0; i < WINCRED_SCRIPT.length; i++) {
    const code = WINCRED_SCRIPT.charCodeAt(i);
    bytes[2 * i] = code & 0xff;
    bytes[2 * i + 1] = code >> 8;
  }
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function createWincredStore({ env, os }: StoreContext): KeyStore {
  const request = async (doing: string, body: Record<string, string>) => {
    const program = findProgram("powershell.exe", env, os) ?? "powershell.exe";
    const result = await runTool(
      "wincred",
      program,
      ["-NoProfile", "-NonInteractive", "-EncodedCommand", encodedScript()],
      { env, stdin: JSON.stringify(body) },
    );
    if (result.code !== 0) throw toolFailure("wincred", doing, result);
    try {
      return JSON.parse(result.stdout) as Record<string, unknown>;
    } catch {
      throw new CredentialError(
        `The wincred store could not ${doing}: PowerShell answered no JSON`,
      );
    }
  };
  return {
    name: "wincred",
    location: "the Windows Credential Manager",
    available() {
      if (os !== "windows") {
        return Promise.resolve(
          "the Credential Manager is Windows'; here use --store file, pass or the system's own store",
        );
      }
      if (findProgram("powershell.exe", env, os) === undefined) {
        return Promise.resolve("powershell.exe is not on PATH (Windows has it in System32)");
      }
      return Promise.resolve(undefined);
    },
    async get(profile) {
      const answer = await request(`read the keys of profile ${profile}`, {
        Action: "get",
        Target: PREFIX + profile,
      });
      if (answer.Found !== true) return undefined;
      return decodeKeys(String(answer.Secret), `Credential Manager entry ${PREFIX}${profile}`);
    },
    async put(profile, keys) {
      await request(`store the keys of profile ${profile}`, {
        Action: "put",
        Target: PREFIX + profile,
        User: keys.accessKeyId,
        Secret: encodeKeys(keys),
      });
    },
    async remove(profile) {
      const answer = await request(`remove the keys of profile ${profile}`, {
        Action: "remove",
        Target: PREFIX + profile,
      });
      return answer.Found === true;
    },
    async list() {
      const answer = await request("list the keys", { Action: "list", Target: `${PREFIX}*` });
      const entries = Array.isArray(answer.Entries) ? answer.Entries : [];
      return entries
        .map((entry: { Target?: unknown; User?: unknown }) => ({
          profile: String(entry.Target ?? "").slice(PREFIX.length),
          accessKeyId: String(entry.User ?? "?"),
        }))
        .filter((entry) => entry.profile !== "")
        .sort((a, b) => a.profile.localeCompare(b.profile));
    },
  };
}
