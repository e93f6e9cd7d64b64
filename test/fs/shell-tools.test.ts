import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseAvailability } from '../../src/fs/fuse-adapter.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { startFsSystem, type FsSystem } from '../helpers/fs-harness.js';

// Issue 14, "Shell tools on the file view": each idiom is run with the real
// program (tar, rsync, make, vim, sed, ed, cp, mv, tail) as a child process
// of this test against the mount of a real `supervisor run` child.
// `sensor` never changes by itself; `ticker` counts every 300 ms.
const SYSTEM = `
runner sensor "${fixture('fs-sensor.mjs')}" {
  readiness: notify
  stop { timeout: "5s" }
}
runner ticker "${fixture('fs-sensor.mjs')}" {
  readiness: notify
  properties { tickMs: 300 }
  stop { timeout: "5s" }
}
runner idle "sleep" { arguments: "1000" }
`;

/** What `ls -A units/sensor units/sensor/config` shows when no temporary file is left. */
const CLEAN = 'units/sensor:\nconfig\ncounter\nsetpoint\ntemperature\n\nunits/sensor/config:\nmode';

describe.runIf(fuseAvailability().ok)('shell tools on the file view', () => {
  let sys: FsSystem;
  let out: string;

  beforeAll(async () => {
    sys = await startFsSystem({ ensemble: SYSTEM });
    out = sys.home.dir;
  }, 120_000);

  afterAll(async () => {
    await sys?.close();
  }, 120_000);

  const listing = async (): Promise<string> => (await sys.bash('ls -A units/sensor units/sensor/config')).stdout;
  const setpoint = async (): Promise<string> => (await sys.bash('cat units/sensor/setpoint')).stdout;

  it('reports true times: stable while a value does not change, newer when it does, directories likewise', async () => {
    const fmt = 'stat -c "%n %.9Y %.9Z %s" units/sensor/temperature units/sensor/setpoint units/sensor units';
    const r = await sys.bash(`${fmt}; sleep 1.2; ls units/sensor > /dev/null; cat units/sensor/temperature > /dev/null; ${fmt}`);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(8);
    expect(lines.slice(4)).toEqual(lines.slice(0, 4));
    for (const line of lines) {
      const [, m, c] = line.split(' ');
      expect(c).toBe(m);
      expect(Number(m) * 1000).toBeLessThanOrEqual(Date.now());
    }
    const tick = (await sys.bash('stat -c %.9Y units/ticker/counter; sleep 1; stat -c %.9Y units/ticker/counter')).stdout.split('\n').map(Number);
    expect(tick[1]).toBeGreaterThan(tick[0] as number);
    const w = (await sys.bash('stat -c %.9Y units/sensor/setpoint; echo 33 > units/sensor/setpoint; stat -c %.9Y units/sensor/setpoint; stat -c %.9Y units/sensor/setpoint')).stdout
      .split('\n')
      .map(Number);
    expect(w[1]).toBeGreaterThan(w[0] as number);
    expect(w[2]).toBe(w[1]);
    // A unit's state file dates from the state change itself.
    const state = await sys.bash('stat -c %Y status/sensor/state; date -d "$(cat status/sensor/since)" +%s');
    const [stateTime, since] = state.stdout.split('\n');
    expect(stateTime).toBe(since);
  });

  it('lets make see a value as fresh or stale', async () => {
    sys.home.write('Makefile', `out: ${sys.mount}/units/sensor/setpoint\n\tcp $< $@\n`);
    const r = await sys.bash(
      `make -s -C "${out}"; echo built=$?; make -q -C "${out}"; echo uptodate=$?; sleep 0.1; echo 34 > units/sensor/setpoint; make -q -C "${out}"; echo stale=$?; make -s -C "${out}"; cat "${out}/out"`,
    );
    expect(r.stdout.split('\n')).toEqual(['built=0', 'uptodate=0', 'stale=1', '34']);
  });

  it('archives with tar without "file changed as we read it", byte for byte the same twice', async () => {
    const r = await sys.bash(
      `tar -cf "${out}/a.tar" units/sensor; echo a=$?; sleep 1.2; tar -cf "${out}/b.tar" units/sensor; echo b=$?; ` +
        `cmp "${out}/a.tar" "${out}/b.tar" && echo same; tar --exclude=units/ticker -cf "${out}/c.tar" units status/idle/since; echo c=$?; ` +
        `mkdir "${out}/x" && tar -xf "${out}/a.tar" -C "${out}/x" && cat "${out}/x/units/sensor/temperature" && ` +
        `[ "$(stat -c %Y units/sensor/temperature)" = "$(stat -c %Y "${out}/x/units/sensor/temperature")" ] && echo times-kept`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['a=0', 'b=0', 'same', 'c=0', '21.5', 'times-kept']);
  });

  it('copies with rsync -a, and a second rsync finds nothing to do until a value changes', async () => {
    const r = await sys.bash(
      `rsync -a units/sensor/ "${out}/r/"; echo first=$?; echo ---; rsync -ai units/sensor/ "${out}/r/"; echo ---; ` +
        `echo 35 > units/sensor/setpoint; rsync -ai units/sensor/ "${out}/r/"; cat "${out}/r/setpoint"`,
    );
    expect(r.stderr).toBe('');
    const [first, second, third] = r.stdout.split('---\n');
    expect(first).toBe('first=0\n');
    expect(second).toBe('');
    expect(third).toMatch(/^>f[^\n]* setpoint\n35$/);
  });

  it('saves with scripted vim: Vi defaults, a rename backup, a copy backup, twice in one session', async () => {
    const vim = (opts: string, ...cmds: string[]) =>
      sys.bash(`vim ${opts} -i NONE ${cmds.map((c) => `-c '${c}'`).join(' ')} units/sensor/setpoint < /dev/null; echo "exit=$?"`);
    expect((await vim('-es', '%s/.*/41.5/', 'wq')).stdout).toBe('exit=0');
    expect(await setpoint()).toBe('41.5');
    // backupcopy=auto makes vim rename the value to setpoint~ first (a value cannot move: vim copies it instead).
    const auto = await vim('-Nes', 'set backupskip= writebackup backupcopy=auto', '%s/.*/42.5/', 'w', '%s/.*/43.5/', 'wq');
    expect(auto.stdout).toBe('exit=0');
    expect(await setpoint()).toBe('43.5');
    expect((await vim('-Nes', 'set backupskip= writebackup backupcopy=yes', '%s/.*/44.5/', 'wq')).stdout).toBe('exit=0');
    expect(await setpoint()).toBe('44.5');
    // A read-only value is refused; the value and the directory stay as they were.
    const ro = await sys.bash(`vim -Nes -i NONE -c '%s/.*/1/' -c 'w!' -c 'q!' units/sensor/temperature < /dev/null; echo "exit=$?"; cat units/sensor/temperature`);
    expect(ro.stdout).toBe('exit=1\n21.5');
    expect(await listing()).toBe(CLEAN);
  });

  it('saves twice with interactive vim in a terminal (Vim defaults, swap file, writebackup)', async () => {
    // `script` gives vim a pseudo-terminal; the keys are typed ahead through it.
    const keys = String.raw`:set backupskip=\r:%%s/.*/39.5/\r:w\r:%%s/.*/40.5/\r:wq\r`;
    const r = await sys.bash(
      `printf '${keys}' | TERM=xterm timeout 30 script -qec 'vim -N -i NONE -u DEFAULTS units/sensor/setpoint' /dev/null > /dev/null; echo "exit=$?"`,
    );
    expect(r.stdout).toBe('exit=0');
    expect(await setpoint()).toBe('40.5');
    expect(await listing()).toBe(CLEAN);
  });

  it('edits in place with sed -i (with and without a backup suffix) and perl -pi, and refuses a read-only value', async () => {
    expect((await sys.bash('sed -i "s/.*/45/" units/sensor/setpoint; echo "exit=$?"; cat units/sensor/setpoint')).stdout).toBe('exit=0\n45');
    // Twice: the second run replaces the first run's backup.
    const bak = await sys.bash(
      'sed -i.bak "s/.*/46/" units/sensor/setpoint; sed -i.bak "s/.*/46.25/" units/sensor/setpoint; echo "exit=$?"; cat units/sensor/setpoint units/sensor/setpoint.bak; rm units/sensor/setpoint.bak',
    );
    expect(bak.stdout).toBe('exit=0\n46.25\n46');
    expect((await sys.bash('sed -i "s/auto/manual/" units/sensor/config/mode; echo "exit=$?"; cat units/sensor/config/mode')).stdout).toBe('exit=0\nmanual');
    const perl = await sys.bash('perl -pi -e "s/.*/46.5/" units/sensor/setpoint; echo "exit=$?"; cat units/sensor/setpoint');
    expect(perl).toMatchObject({ stdout: 'exit=0\n46.5', stderr: '' });
    const ro = await sys.bash('sed -i "s/.*/1/" units/sensor/temperature; echo "exit=$?"; cat units/sensor/temperature');
    expect(ro.stdout).toBe('exit=4\n21.5');
    expect(ro.stderr).toMatch(/Permission denied/);
    expect(await listing()).toBe(CLEAN);
  });

  it('edits with ed, copies with cp, writes a temporary file and renames it over the value', async () => {
    expect((await sys.bash(`printf '1c\\n47\\n.\\nw\\nq\\n' | ed -s units/sensor/setpoint; echo "exit=$?"`)).stdout).toBe('exit=0');
    expect(await setpoint()).toBe('47');
    expect((await sys.bash(`echo 48 > "${out}/v" && cp "${out}/v" units/sensor/setpoint; echo "exit=$?"`)).stdout).toBe('exit=0');
    expect(await setpoint()).toBe('48');
    const inside = await sys.bash('echo 49 > units/sensor/.setpoint.new && cp units/sensor/.setpoint.new units/sensor/setpoint && rm units/sensor/.setpoint.new; echo "exit=$?"');
    expect(inside.stdout).toBe('exit=0');
    expect(await setpoint()).toBe('49');
    expect((await sys.bash('echo 50 > units/sensor/.setpoint.tmp && mv units/sensor/.setpoint.tmp units/sensor/setpoint; echo "exit=$?"')).stdout).toBe('exit=0');
    expect(await setpoint()).toBe('50');
    expect(await listing()).toBe(CLEAN);
  });

  it('answers the errors a script expects around temporary files and values', async () => {
    const r = await sys.bash(
      [
        'echo 1 > units/sensor/.t; mv units/sensor/.t units/sensor/temperature 2>&1; echo "ro=$?"; ls -A units/sensor | grep -c "^.t$"; rm units/sensor/.t',
        'echo warm > units/sensor/.t; mv units/sensor/.t units/sensor/setpoint 2>&1; echo "invalid=$?"; rm units/sensor/.t',
        'b=$(cat units/sensor/setpoint); sed -i "s/.*/warm/" units/sensor/setpoint 2>&1 | sed -E "s/sed[A-Za-z0-9]{6}:/TEMP:/"; [ "$(cat units/sensor/setpoint)" = "$b" ] && echo unchanged',
        '(echo 1 > units/sensor/setpont) 2>&1 | sed "s/^.*: line/line/"; echo "typo=${PIPESTATUS[0]}"',
        'chmod 600 units/sensor/setpoint 2>&1; echo "chmod=$?"; chmod 644 units/sensor/setpoint; echo "same-mode=$?"; touch units/sensor/setpoint; echo "touch=$?"',
        'rm units/sensor/setpoint 2>&1; echo "rm=$?"; mv units/sensor/setpoint units/sensor/other 2>&1; echo "mv-value=$?"',
        ': > units/sensor/.x && chmod 600 units/sensor/.x && chown "$(id -u):$(id -g)" units/sensor/.x && touch -d @1577836800 units/sensor/.x && sync units/sensor/.x && stat -c "%a %Y" units/sensor/.x && rm units/sensor/.x',
        'for i in $(seq 1 65); do : > units/sensor/.n$i 2> /dev/null || { echo "full at $i"; break; }; done; rm -f units/sensor/.n*',
        'head -c 1048577 /dev/zero 2> /dev/null > units/sensor/.big; echo "big=$?"; stat -c %s units/sensor/.big; rm units/sensor/.big',
      ].join('; '),
    );
    expect(r.stdout.split('\n')).toEqual([
      "mv: cannot move 'units/sensor/.t' to 'units/sensor/temperature': Permission denied",
      'ro=1',
      '1',
      // The value refused the content: EINVAL, which mv words as a move into a subdirectory.
      "mv: cannot move 'units/sensor/.t' to a subdirectory of itself, 'units/sensor/setpoint'",
      'invalid=1',
      'sed: cannot rename units/sensor/TEMP: Invalid argument',
      'unchanged',
      'line 1: units/sensor/setpont: Permission denied',
      'typo=1',
      "chmod: changing permissions of 'units/sensor/setpoint': Operation not permitted",
      'chmod=1',
      'same-mode=0',
      'touch=0',
      "rm: cannot remove 'units/sensor/setpoint': Permission denied",
      'rm=1',
      "mv: cannot move 'units/sensor/setpoint' to 'units/sensor/other': Permission denied",
      'mv-value=1',
      '600 1577836800',
      'full at 65',
      'big=1',
      '1048576',
    ]);
    expect(await listing()).toBe(CLEAN);
  });

  for (const flags of ['-f', '-F', '---disable-inotify -f']) {
    it(`follows a .watch file with tail ${flags}: the current value, then every change`, async () => {
      const r = await sys.bash(`timeout 6 tail ${flags} units/ticker/counter.watch; echo "exit=$?"`);
      const lines = r.stdout.split('\n');
      expect(lines.pop()).toBe('exit=124');
      expect(r.stderr).toBe('');
      expect(lines.length).toBeGreaterThanOrEqual(3);
      const seen = lines.map(Number);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe((seen[i - 1] as number) + 1);
    });
  }
});
