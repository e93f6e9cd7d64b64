import os from 'node:os';

// The names of this machine's platform and architecture that templates and
// conditions see (src/ensemble/template-scope.ts builds the scope from them,
// condition/condition-variables.ts compares with them), in Node's names and in
// Tinkwell's and .NET's (docs/tinkwell.md).

/** Node's `process.platform` → Tinkwell's name. */
const TINKWELL_PLATFORM: Readonly<Record<string, string>> = { win32: 'windows', linux: 'linux', darwin: 'osx', freebsd: 'bsd' };

/** Node's `process.arch` → .NET's `Architecture` name. */
export const DOTNET_OF_NODE: Readonly<Record<string, string>> = { x64: 'X64', ia32: 'X86', arm: 'Arm', arm64: 'Arm64', s390x: 'S390x', loong64: 'LoongArch64', ppc64: 'Ppc64le', riscv64: 'RiscV64' };
/** `uname -m` names → .NET's (for the OS's architecture, which may differ from the process's). */
const DOTNET_OF_MACHINE: Readonly<Record<string, string>> = {
  x86_64: 'X64', amd64: 'X64', i386: 'X86', i686: 'X86', aarch64: 'Arm64', arm64: 'Arm64', armv7l: 'Arm', armv8l: 'Arm', armv6l: 'Armv6',
  s390x: 'S390x', ppc64le: 'Ppc64le', riscv64: 'RiscV64', loongarch64: 'LoongArch64',
};

/** The process's architecture as .NET names it (RuntimeInformation.ProcessArchitecture). */
export function processArchitecture(arch: string): string {
  return DOTNET_OF_NODE[arch] ?? arch;
}

/** The operating system's architecture as .NET names it (RuntimeInformation.OSArchitecture): from `uname -m`, else the process's. */
export function osArchitecture(arch: string): string {
  return DOTNET_OF_MACHINE[os.machine().toLowerCase()] ?? processArchitecture(arch);
}

/** Tinkwell's name of a Node platform: windows, linux, osx, bsd or other. */
export function tinkwellPlatform(platform: string): string {
  return TINKWELL_PLATFORM[platform] ?? 'other';
}

/** Tinkwell's `environment` (`--set environment=…` wins, as Tinkwell's parameters do): `development` when ENSEMBLE_ENVIRONMENT (else Tinkwell's TINKWELL_ENVIRONMENT) says Development, else `release`. */
export function environmentName(env: Readonly<Record<string, string>>): string {
  const set = env.ENSEMBLE_ENVIRONMENT ?? env.TINKWELL_ENVIRONMENT;
  return set !== undefined && set.trim().toLowerCase() === 'development' ? 'development' : 'release';
}

/** Tinkwell's `session_id`: the id of the process the plan is compiled for (the supervisor, or the CLI), also when a compiling child does the work. */
export function sessionId(): string {
  return String(process.send !== undefined ? process.ppid : process.pid);
}
