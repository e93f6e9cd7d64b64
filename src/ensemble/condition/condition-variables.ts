import { clipText } from '../clip-text.js';
import { DOTNET_OF_NODE, tinkwellPlatform } from '../platform-names.js';
import type { TemplateScope } from '../template-scope.js';
import { ConditionError } from './condition-error.js';
import { NamedValue, type Value } from './condition-values.js';

const KNOWN = 'platform, arch, hostname, node, env.NAME, params.KEY (or a bare KEY given with --set KEY=…); Tinkwell: os_architecture, processor_architecture, cpu_architecture, environment, session_id';

/** Node's `process.platform` values. */
const NODE_PLATFORMS = ['aix', 'android', 'cygwin', 'darwin', 'freebsd', 'haiku', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32'];
/** Tinkwell's `platform` values (HostingInformation.ResolvePlatform). */
const TINKWELL_PLATFORMS = ['windows', 'linux', 'osx', 'bsd', 'other'];

/** Node's `process.arch` values. */
const NODE_ARCHS = ['arm', 'arm64', 'ia32', 'loong64', 'mips', 'mipsel', 'ppc', 'ppc64', 'riscv64', 's390', 's390x', 'x64'];
/** .NET's `System.Runtime.InteropServices.Architecture` names, which Tinkwell compares with. */
const DOTNET_ARCHS = ['X86', 'X64', 'Arm', 'Arm64', 'Wasm', 'S390x', 'LoongArch64', 'Armv6', 'Ppc64le', 'RiscV64'];
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
