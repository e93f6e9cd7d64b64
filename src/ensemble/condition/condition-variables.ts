import os from 'node:os';
import { clipText } from '../clip-text.js';
import type { TemplateScope } from '../template-scope.js';
import { ConditionError } from './condition-error.js';
import { NamedValue, type Value } from './condition-values.js';

const KNOWN = 'platform, arch, hostname, node, env.NAME, params.KEY (or a bare KEY given with --set KEY=…); Tinkwell: os_architecture, processor_architecture, cpu_architecture, environment, session_id';

/** Node's `process.platform` values. */
const NODE_PLATFORMS = ['aix', 'android', 'cygwin', 'darwin', 'freebsd', 'haiku', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32'];
/** Tinkwell's `platform` values (HostingInformation.ResolvePlatform). */
const TINKWELL_PLATFORMS = ['windows', 'linux', 'osx', 'bsd', 'other'];
const TINKWELL_PLATFORM: Readonly<Record<string, string>> = { win32: 'windows', linux: 'linux', darwin: 'osx', freebsd: 'bsd' };

/** Node's `process.arch` values. */
const NODE_ARCHS = ['arm', 'arm64', 'ia32', 'loong64', 'mips', 'mipsel', 'ppc', 'ppc64', 'riscv64', 's390', 's390x', 'x64'];
/** .NET's `System.Runtime.InteropServices.Architecture` names, which Tinkwell compares with. */
const DOTNET_ARCHS = ['X86', 'X64', 'Arm', 'Arm64', 'Wasm', 'S390x', 'LoongArch64', 'Armv6', 'Ppc64le', 'RiscV64'];
const DOTNET_OF_NODE: Readonly<Record<string, string>> = { x64: 'X64', ia32: 'X86', arm: 'Arm', arm64: 'Arm64', s390x: 'S390x', loong64: 'LoongArch64', ppc64: 'Ppc64le', riscv64: 'RiscV64' };
/** `uname -m` names → .NET's (for the OS's architecture, which may differ from the process's). */
const DOTNET_OF_MACHINE: Readonly<Record<string, string>> = {
  x86_64: 'X64', amd64: 'X64', i386: 'X86', i686: 'X86', aarch64: 'Arm64', arm64: 'Arm64', armv7l: 'Arm', armv8l: 'Arm', armv6l: 'Armv6',
  s390x: 'S390x', ppc64le: 'Ppc64le', riscv64: 'RiscV64', loongarch64: 'LoongArch64',
};
/** Other names people write for an architecture, lower case → Node's. */
const ARCH_SYNONYMS: Readonly<Record<string, string>> = { x86_64: 'x64', amd64: 'x64', x86: 'ia32', i386: 'ia32', i686: 'ia32', aarch64: 'arm64' };

function hints(toWanted: (node: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of NODE_ARCHS) out[a] = toWanted(a);
  for (const [n, d] of Object.entries(DOTNET_OF_NODE)) out[d.toLowerCase()] = toWanted(n);
  for (const [other, n] of Object.entries(ARCH_SYNONYMS)) out[other] = toWanted(n);
  return out;
}

function nodeArch(variable: string, arch: string): NamedValue {
  return new NamedValue(variable, arch, [arch], NODE_ARCHS, "Node's names (x64, arm64, arm, ia32, …); os_architecture has .NET's", hints((n) => n));
}

function dotnetArch(variable: string, value: string): NamedValue {
  return new NamedValue(variable, value, [value], DOTNET_ARCHS, ".NET's names, as in Tinkwell (X64, Arm64, Arm, X86, …); arch has Node's", hints((n) => DOTNET_OF_NODE[n] ?? n));
}

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

/**
 * The value of a condition variable. Unset `env.X`/`params.x` are null;
 * a bare name that is not a built-in variable is `params.NAME` (Tinkwell's
 * parameters are bare names); anything else unknown is an error.
 */
export function lookupVariable(name: string, scope: TemplateScope, offset: number): Value {
  switch (name) {
    case 'platform': {
      const tw = tinkwellPlatform(scope.platform);
      return new NamedValue(name, scope.platform, [scope.platform, tw], [...NODE_PLATFORMS, ...TINKWELL_PLATFORMS], "Node's names (linux, darwin, win32, freebsd, …) or Tinkwell's (linux, osx, windows, bsd, other)");
    }
    case 'arch':
    case 'cpu_architecture':
      return nodeArch(name, scope.arch);
    case 'os_architecture':
      return dotnetArch(name, scope.os_architecture);
    case 'processor_architecture':
      return dotnetArch(name, scope.processor_architecture);
    case 'hostname':
      return scope.hostname;
    case 'node':
      return scope.node;
    case 'environment':
      return scope.environment;
    case 'session_id':
      return scope.session_id;
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const head = name.slice(0, dot);
    const key = name.slice(dot + 1);
    if (head === 'env') return scope.env[key] ?? null;
    if (head === 'params') return scope.params[key] ?? null;
  }
  if (Object.prototype.hasOwnProperty.call(scope.params, name)) return scope.params[name] as string;
  throw new ConditionError(`unknown variable "${clipText(name)}" (known: ${KNOWN})`, offset);
}
