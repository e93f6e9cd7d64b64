import { createRequire } from 'node:module';

/** The parts of a decoded `google.protobuf.FileDescriptorProto` that dependency linking reads. */
interface FileProto {
  name?: string;
  package?: string;
  dependency: string[];
  messageType?: MessageProto[];
  enumType?: { name?: string }[];
  service?: { name?: string; method?: { inputType?: string; outputType?: string }[] }[];
  extension?: { typeName?: string; extendee?: string }[];
}

interface MessageProto {
  name?: string;
  field?: { typeName?: string }[];
  nestedType?: MessageProto[];
  enumType?: { name?: string }[];
  extension?: { typeName?: string; extendee?: string }[];
}

interface DescriptorCodec {
  decode(bytes: Uint8Array): FileProto;
  encode(message: FileProto): { finish(): Uint8Array };
}

/**
 * Fill in the `dependency` list of every file descriptor (the files whose
 * types it uses), which @grpc/proto-loader leaves empty, and drop duplicate
 * files. A reflection client that links descriptors strictly (buf, grpcurl)
 * needs the list; without it a file that uses another file's message cannot
 * be linked and none of its methods can be called.
 */
export function completeFileDescriptors(encoded: readonly Uint8Array[]): Buffer[] {
  const { FileDescriptorProto } = createRequire(import.meta.url)('protobufjs/ext/descriptor') as { FileDescriptorProto: DescriptorCodec };
  const files = new Map<string, FileProto>();
  for (const bytes of encoded) {
    const file = FileDescriptorProto.decode(bytes);
    if (file.name && !files.has(file.name)) files.set(file.name, file);
  }
  const owner = new Map<string, string>();
  for (const [name, file] of files) for (const symbol of declaredSymbols(file)) owner.set(symbol, name);
  for (const [name, file] of files) {
    const deps = new Set<string>();
    for (const { ref, scope } of references(file)) {
      const target = resolve(ref, scope, owner);
      if (target && target !== name) deps.add(target);
    }
    file.dependency = [...deps].sort();
  }
  return [...files.values()].map((f) => Buffer.from(FileDescriptorProto.encode(f).finish()));
}

/** Fully qualified names (no leading dot) of the messages, enums and services a file declares. */
function declaredSymbols(file: FileProto): string[] {
  const pkg = file.package ? `${file.package}.` : '';
  const out: string[] = [];
  const messages = (list: readonly MessageProto[], prefix: string) => {
    for (const m of list) {
      const fqn = `${prefix}${m.name ?? ''}`;
      out.push(fqn);
      for (const e of m.enumType ?? []) out.push(`${fqn}.${e.name ?? ''}`);
      messages(m.nestedType ?? [], `${fqn}.`);
    }
  };
  messages(file.messageType ?? [], pkg);
  for (const e of file.enumType ?? []) out.push(`${pkg}${e.name ?? ''}`);
  for (const s of file.service ?? []) out.push(`${pkg}${s.name ?? ''}`);
  return out;
}

/** Every type name a file refers to, with the scope it is written in. */
function references(file: FileProto): { ref: string; scope: string }[] {
  const pkg = file.package ?? '';
  const out: { ref: string; scope: string }[] = [];
  const add = (ref: string | undefined, scope: string) => {
    if (ref) out.push({ ref, scope });
  };
  const messages = (list: readonly MessageProto[], scope: string) => {
    for (const m of list) {
      const inner = scope ? `${scope}.${m.name ?? ''}` : (m.name ?? '');
      for (const f of m.field ?? []) add(f.typeName, inner);
      for (const x of m.extension ?? []) {
        add(x.typeName, inner);
        add(x.extendee, inner);
      }
      messages(m.nestedType ?? [], inner);
    }
  };
  messages(file.messageType ?? [], pkg);
  for (const s of file.service ?? []) {
    for (const m of s.method ?? []) {
      add(m.inputType, pkg);
      add(m.outputType, pkg);
    }
  }
  for (const x of file.extension ?? []) {
    add(x.typeName, pkg);
    add(x.extendee, pkg);
  }
  return out;
}

/** Resolve a type name as protobuf does: absolute with a leading dot, else from the innermost scope outwards. */
function resolve(ref: string, scope: string, owner: ReadonlyMap<string, string>): string | undefined {
  if (ref.startsWith('.')) return owner.get(ref.slice(1));
  let at = scope;
  for (;;) {
    const found = owner.get(at ? `${at}.${ref}` : ref);
    if (found) return found;
    if (!at) return undefined;
    const dot = at.lastIndexOf('.');
    at = dot < 0 ? '' : at.slice(0, dot);
  }
}
