// `labs` — the command line of the lab runner.
import { loadLabs } from '../labs/registry.ts';
import { LABS_DIR } from '../util/paths.ts';
import { createDocker, checkDocker } from '../util/docker-client.ts';
import { ImageBuilder } from '../images/image-builder.ts';
import { ContainerBackend } from '../backends/container.ts';
import { detectSwarmPool, ENGINE_LABEL, readTlsDir, type TlsClientFiles } from '../backends/swarm/index.ts';
import { HOST_ROOT_MEANING } from '../../common/host-root.ts';
import { BACKENDS } from '../../common/lab-schema.ts';
import { QemuBackend } from '../backends/qemu/index.ts';
import { VmImageBuilder } from '../images/vm-image-builder.ts';
import { saveVmLabState } from './save-vm-state.ts';
import { labImageResolver } from '../images/resolve-image.ts';
import { selfTestLab, type SelfTestReport } from '../selftest/lab-selftest.ts';
import { createRunner, DEFAULT_PORT } from '../runner.ts';
import type { CheckResult } from '../../common/protocol.ts';
import { parseCliArgs, flagValue, flagValues, UsageError, type FlagShape, type ParsedArgs } from './args.ts';
import { paramSweep, parseParamAssignments } from '../../common/params.ts';
import { ApiClientError, findRunner, resolveSession } from './runner-client.ts';
import { START_DEADLINE_MS, waitForStart } from './wait-for-start.ts';
import { fireAndForget, installProcessErrorSinks, onUnexpectedError } from '../util/unexpected-error.ts';
import { attachTerminal } from './attach.ts';
import { gradeCommand, progressCommand, workshopCommand } from './workshop-commands.ts';
import { doctorCommand } from './doctor-command.ts';

const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

const HELP = `labs — hands-on Linux kernel debugging labs

Usage: labs <command> [options]

Labs on disk:
  list [--json]                 the labs and any lab files that failed to load
  build [<lab>...|--all] [--backend container|vm] [--no-save]
                                build the images labs need (shows progress); for a VM lab, also boot it
                                once and save its state, so sessions restore it in about a second
  doctor [--json]               what this host offers labs and tools (Docker, tracefs, BTF,
                                kprobes, BCC headers, KVM…): status, why not, the fix
  test <lab>...|--all [--json] [--param name=value[,…]]
                                self-test labs against the real backend: start, fault
                                present, walkthrough (every command the steps and hints
                                give, typed into the lab's terminal), solution, checks
                                pass, nothing left — once per choice of each lab
                                parameter, or with the --param values

The runner:
  serve [--host H] [--port P] [--allow-origin URL]... [--name N] [--build] [--workshop]
        [--allow-host-root-labs] [--swarm|--no-swarm] [--swarm-tls DIR]
                                start the runner (default 127.0.0.1:${DEFAULT_PORT}); --workshop:
                                browsers never get the owner token (learners share the site);
                                --allow-host-root-labs: workshops may offer labs that make each
                                learner root on this host (SYS_ADMIN container labs; see docs/security.md);
                                --swarm: container labs run on the Docker Swarm this machine manages,
                                each node reached at its kdlabs.engine label with the client
                                certificate in DIR (ca.pem, cert.pem, key.pem; see docs/scale-out.md);
                                without either flag, used when this machine manages a swarm whose
                                nodes carry kdlabs.engine labels

Sessions (talk to the running runner; --url overrides where it is):
  start <lab> [--no-attach] [--json]  start a lab and attach this terminal (Ctrl-] detaches)
  attach [<session|lab>]              attach this terminal to a running lab's shell
  sessions [--json]                   the labs running now
  check [<session|lab>] [<task>] [--json]   run a task's check (all checks without <task>)
  answer <session|lab> <task> [--] <answer...>
                                      answer a task's question (after --, words may start with -)
  hint <session|lab> <task>           show the next hint of a task
  reset [<session|lab>]               put the lab back to its initial state
  stop [<session|lab>]                stop the lab and remove its environment
  progress [--json]                   your progress in every lab (done, in progress, tasks)

Workshops (you are the instructor; see docs/workshops.md):
  workshop create --labs a,b --seats N --ends 2h [--starts 30m|TIME] [--title T] [--json]
                                      create one; prints the join code and link
  workshop list|show|close|roster [<workshop>] [--json]
  grade [<workshop>] [--csv|--json]   grades: per task, partial credit, timestamps

Exit codes: 0 ok, 1 a check/test failed, 2 bad usage, 3 runner or backend unavailable.
`;

type Command = (args: ParsedArgs) => Promise<number>;

const json = (args: ParsedArgs): boolean => args.flags.get('json') === true;
const print = (v: unknown): void => { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); };

const commands: Record<string, { flags: Record<string, FlagShape>; run: Command }> = {
  list: {
    flags: { json: 'bool' },
    run: async (args) => {
      const { labs, problems } = loadLabs(LABS_DIR);
      if (json(args)) { print({ labs: [...labs.values()].map((l) => ({ id: l.id, title: l.title, level: l.level, minutes: l.minutes, backend: l.backend })), problems }); return problems.length ? EXIT.failed : EXIT.ok; }
      for (const l of labs.values()) console.log(`${l.id.padEnd(20)} ${l.level.padEnd(13)} ${String(l.minutes).padStart(3)} min  ${l.backend.padEnd(9)} ${l.title}`);
      for (const p of problems) console.error(`problem: ${p}`);
      return problems.length ? EXIT.failed : EXIT.ok;
    },
  },
  build: {
    flags: { all: 'bool', 'no-save': 'bool', backend: 'value' },
    run: async (args) => {
      const only = flagValue(args, 'backend');
      if (only !== undefined && !(BACKENDS as readonly string[]).includes(only)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${only}"`);
      const labs = pickLabs(args).filter((l) => only === undefined || l.backend === only);
      const docker = createDocker();
      if (labs.some((l) => l.backend === 'container')) {
        const pre = await checkDocker(docker);
        if (!pre.ok) { console.error(pre.message); return EXIT.unavailable; }
      }
      const resolve = labImageResolver(new ImageBuilder(docker), new VmImageBuilder());
      for (const lab of labs) {
        const ref = await resolve(lab, (l) => console.log(l));
        console.log(`${lab.id}: ${lab.backend === 'vm' ? 'VM image' : 'image'} ${ref} ready`);
        // A saved state is an optimisation: without one (said why) the lab still starts, by booting.
        if (lab.backend === 'vm' && !args.flags.get('no-save')) await saveVmLabState(lab, ref);
      }
      return EXIT.ok;
    },
  },
  test: {
    flags: { all: 'bool', json: 'bool', param: 'value' },
    run: async (args) => {
      const labs = pickLabs(args);
      // Every choice of every parameter by default (each learner must get a working lab); --param picks one.
      const runs = labs.map((lab) => {
        const forced = flagValue(args, 'param');
        if (forced === undefined) return { lab, sweep: paramSweep(lab.params) };
        const parsed = parseParamAssignments(forced, lab.params);
        if (!parsed.ok) throw new UsageError(`--param for ${lab.id}: ${parsed.message}`);
        return { lab, sweep: paramSweep(lab.params).map((v) => ({ ...v, ...parsed.value })).filter((v, i, all) => all.findIndex((x) => JSON.stringify(x) === JSON.stringify(v)) === i) };
      });
      const docker = createDocker();
      if (labs.some((l) => l.backend === 'container')) {
        const pre = await checkDocker(docker);
        if (!pre.ok) { console.error(pre.message); return EXIT.unavailable; }
      }
      const resolveImage = labImageResolver(new ImageBuilder(docker), new VmImageBuilder());
      // Made per run, for the runner name the self-test picks: its leak check looks under that name.
      const backends = (runnerName: string) => ({ container: new ContainerBackend(docker, runnerName), vm: new QemuBackend({ runnerName }) });
      const reports: SelfTestReport[] = [];
      for (const { lab, sweep } of runs) {
        for (const params of sweep) {
          const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
          if (!json(args)) console.log(`\n▶ self-test ${lab.id}${shown ? ` (${shown})` : ''}`);
          const report = await selfTestLab(lab, {
            backends,
            resolveImage,
            onProgress: json(args) ? undefined : (m) => console.log(`    … ${m}`),
            onStep: json(args) ? undefined : (s) => console.log(`  ${s.ok ? '✔' : '✘'} ${s.name} (${(s.ms / 1000).toFixed(1)} s)${s.detail ? ` — ${s.detail}` : ''}`),
            params,
          });
          reports.push(report);
        }
      }
      const failed = reports.filter((r) => !r.ok);
      if (json(args)) print({ ok: failed.length === 0, reports });
      else console.log(`\n${reports.length - failed.length} passed, ${failed.length} failed`);
      return failed.length ? EXIT.failed : EXIT.ok;
    },
  },
  serve: {
    flags: { host: 'value', port: 'value', 'allow-origin': 'values', name: 'value', build: 'bool', workshop: 'bool', 'allow-host-root-labs': 'bool', swarm: 'bool', 'no-swarm': 'bool', 'swarm-tls': 'value' },
    run: async (args) => {
      // The runner serves every learner's lab: a stray error in background work is logged, not fatal.
      installProcessErrorSinks();
      const port = Number(flagValue(args, 'port') ?? process.env.KDLABS_PORT ?? DEFAULT_PORT);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${flagValue(args, 'port')}"`);
      const host = flagValue(args, 'host') ?? process.env.KDLABS_HOST ?? '127.0.0.1';
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
        console.error(`warning: binding ${host} exposes root shells in lab containers to the network; see docs/security.md`);
      }
      const origins = [...(process.env.KDLABS_ALLOW_ORIGIN?.split(',').filter(Boolean) ?? [])];
      origins.push(...flagValues(args, 'allow-origin'));
      const swarmTls = flagValue(args, 'swarm-tls');
      const noSwarm = args.flags.get('no-swarm') === true;
      if (noSwarm && args.flags.get('swarm') === true) throw new UsageError('--swarm and --no-swarm contradict each other; give one');
      if (swarmTls && noSwarm) throw new UsageError('--swarm-tls goes with a swarm, and --no-swarm turns it off');
      let swarm: { tls: TlsClientFiles | null } | undefined;
      // Without either flag a workshop pool's manager is used as one (backends/swarm/detect.ts).
      const detected = args.flags.get('swarm') === true || noSwarm ? 0 : await detectSwarmPool(createDocker());
      if (detected) console.log(`  Docker Swarm pool found (${detected} machine(s) labelled ${ENGINE_LABEL}): container labs run on it; --no-swarm keeps them on this machine`);
      if (args.flags.get('swarm') === true || detected) {
        const tls = swarmTls ? readTlsDir(swarmTls) : null;
        if (tls && !tls.ok) throw new UsageError(tls.message);
        swarm = { tls: tls ? tls.tls : null };
      }
      const runner = await createRunner({
        host, port, allowedOrigins: origins, runnerName: flagValue(args, 'name'), advertise: true, swarm,
        workshopMode: args.flags.get('workshop') === true || process.env.KDLABS_WORKSHOP === '1',
        allowHostRootLabs: args.flags.get('allow-host-root-labs') === true,
        warmImages: true,
      });
      if (swarm) {
        const nodes = await runner.backends.container!.preflight();
        console.log(nodes.ok ? `  ${nodes.value}` : `  ✗ ${nodes.error.message}${nodes.error.fix ? ` — ${nodes.error.fix}` : ''}`);
      }
      // The images building in the background, one line each as it starts and ends (the host page shows the steps).
      // An image that is there already is only looked up: it prints nothing.
      const building = new Set<string>();
      runner.imageBoard.onChange((st) => {
        if (st.state === 'building' && st.line && !building.has(st.labId)) { building.add(st.labId); console.log(`  … building the image of ${st.labId}`); }
        if (st.state === 'ready' && st.startedAt) console.log(`  ✓ image of ${st.labId} ready (${Math.round((Date.parse(st.finishedAt!) - Date.parse(st.startedAt)) / 1000)} s)`);
        if (st.state === 'failed') console.log(`  ✗ image of ${st.labId} failed: ${st.error}`);
      });
      if (args.flags.get('allow-host-root-labs')) console.error(`warning: --allow-host-root-labs: in a workshop with such a lab, ${HOST_ROOT_MEANING}`);
      if (args.flags.get('build')) {
        for (const lab of runner.manager.labs.values()) {
          const ref = lab.backend === 'vm' ? await runner.vmImages.ensureVmImage(lab, (l) => console.log(l)) : await runner.images.ensureLabImage(lab, (l) => console.log(l));
          console.log(`${lab.id}: ${lab.backend === 'vm' ? 'VM image' : 'image'} ${ref} ready`);
        }
      }
      console.log(`\nkdlabs runner listening on ${runner.url}  (labs: ${[...runner.manager.labs.keys()].join(', ')})`);
      console.log(`open ${runner.url}/ in a browser, or try:  npm run labs -- start syscall-storm\n`);
      let stopping = false;
      const stop = (sig: string): void => {
        if (stopping) return;
        stopping = true;
        console.log(`\n${sig}: stopping labs…`);
        fireAndForget(runner.close().then(() => process.exit(0), (e: unknown) => {
          onUnexpectedError(e, 'stopping the runner');
          process.exit(1);
        }), 'stopping the runner');
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await new Promise(() => {});
      return EXIT.ok;
    },
  },
  start: {
    flags: { 'no-attach': 'bool', json: 'bool', url: 'value' },
    run: async (args) => {
      const labId = args.positionals[0];
      if (!labId) throw new UsageError('start needs a lab id; see `labs list`');
      const c = findRunner(flagValue(args, 'url'));
      const created = await c.sessions.start(labId);
      const outcome = await waitForStart(created.session, {
        get: (id) => c.sessions.get(id),
        onProgress: (m) => { if (!json(args)) process.stderr.write(`  … ${m}\n`); },
      });
      const view = outcome.view;
      if (outcome.kind === 'deadline') {
        console.error(`lab ${labId} (session ${view.id}) is still starting after ${Math.round(START_DEADLINE_MS / 60_000)} min; the runner keeps at it.`
          + ` Follow it with \`labs sessions\`, open it with \`labs attach ${view.id}\`, or give up with \`labs stop ${view.id}\`.`);
        return EXIT.failed;
      }
      if (outcome.kind === 'not-started') { console.error(`lab ${labId} did not start (${view.phase}): ${view.error ?? 'no reason given'}`); return EXIT.failed; }
      if (json(args)) { print({ session: view, token: created.token }); return EXIT.ok; }
      console.error(`lab ${labId} is running as session ${view.id}`);
      if (args.flags.get('no-attach') || !process.stdin.isTTY) return EXIT.ok;
      await attachTerminal(c.url, view.id, c.token);
      console.error(`\ndetached; the lab keeps running. Back in: labs attach ${view.id}   Stop it: labs stop ${view.id}`);
      return EXIT.ok;
    },
  },
  attach: {
    flags: { url: 'value' },
    run: async (args) => {
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, args.positionals[0]);
      await attachTerminal(c.url, s.id, c.token);
      return EXIT.ok;
    },
  },
  sessions: {
    flags: { json: 'bool', url: 'value' },
    run: async (args) => {
      const c = findRunner(flagValue(args, 'url'));
      const { sessions } = await c.sessions.list();
      if (json(args)) { print({ sessions }); return EXIT.ok; }
      if (!sessions.length) console.log('no labs running');
      for (const s of sessions) {
        const done = s.tasks.filter((t) => t.status === 'passed').length;
        console.log(`${s.id}  ${s.labId.padEnd(18)} ${s.phase.padEnd(9)} tasks ${done}/${s.tasks.length}  since ${s.createdAt}`);
        // Degraded, stopping (removal pending) or failed: say why, and what the runner is waiting for.
        if (s.error) console.log(`    ${s.error}`);
      }
      return EXIT.ok;
    },
  },
  check: {
    flags: { json: 'bool', url: 'value' },
    run: async (args) => {
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, args.positionals[0]);
      const lab = await c.public.lab(s.labId);
      const wanted = args.positionals[1];
      const tasks = wanted ? lab.tasks.filter((t) => t.id === wanted) : lab.tasks.filter((t) => t.hasCheck);
      if (wanted && !tasks.length) throw new UsageError(`lab ${s.labId} has no task "${wanted}" (tasks: ${lab.tasks.map((t) => t.id).join(', ')})`);
      const results: CheckResult[] = [];
      for (const t of tasks) {
        const r = await c.sessions.check(s.id, t.id);
        results.push(r);
        if (!json(args)) console.log(`${r.passed ? '✔' : '✘'} ${t.id}: ${r.message}`);
      }
      if (json(args)) print({ session: s.id, results });
      return results.every((r) => r.passed) ? EXIT.ok : EXIT.failed;
    },
  },
  answer: {
    flags: { json: 'bool', url: 'value' },
    run: async (args) => {
      const [ref, task, ...words] = args.positionals;
      if (!ref || !task || !words.length) throw new UsageError('answer needs <session|lab> <task> <answer>');
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, ref);
      const r = await c.sessions.answer(s.id, task, words.join(' '));
      // The grader's own words: why a pass is right, or what a known wrong answer mixes up.
      if (json(args)) print(r); else console.log(`${r.passed ? '✔' : '✘'} ${r.message}${r.alreadyPassed ? ' (this task had already passed)' : ''}${r.tally?.note ? `\n  ${r.tally.note}` : ''}`);
      return r.passed ? EXIT.ok : EXIT.failed;
    },
  },
  hint: {
    flags: { json: 'bool', url: 'value' },
    run: async (args) => {
      const [ref, task] = args.positionals;
      if (!ref || !task) throw new UsageError('hint needs <session|lab> <task>');
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, ref);
      const h = await c.sessions.hint(s.id, task);
      if (json(args)) print(h); else console.log(`hint ${h.index + 1}: ${h.hint}${h.remaining ? `  (${h.remaining} more)` : ''}`);
      return EXIT.ok;
    },
  },
  reset: {
    flags: { url: 'value' },
    run: async (args) => {
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, args.positionals[0]);
      await c.sessions.reset(s.id, true);
      console.log(`${s.id}: lab ${s.labId} is back to its initial state`);
      return EXIT.ok;
    },
  },
  progress: { flags: { json: 'bool', url: 'value' }, run: progressCommand },
  workshop: {
    flags: { json: 'bool', url: 'value', labs: 'value', seats: 'value', ends: 'value', starts: 'value', title: 'value' },
    run: workshopCommand,
  },
  grade: { flags: { json: 'bool', csv: 'bool', url: 'value' }, run: gradeCommand },
  doctor: { flags: { json: 'bool' }, run: doctorCommand },
  stop: {
    flags: { url: 'value' },
    run: async (args) => {
      const c = findRunner(flagValue(args, 'url'));
      const s = await resolveSession(c, args.positionals[0]);
      await c.sessions.stop(s.id);
      console.log(`${s.id}: stopped, environment removed`);
      return EXIT.ok;
    },
  },
};

function pickLabs(args: ParsedArgs) {
  const { labs, problems } = loadLabs(LABS_DIR);
  for (const p of problems) console.error(`problem: ${p}`);
  if (args.flags.get('all')) return [...labs.values()];
  if (!args.positionals.length) throw new UsageError('name one or more labs, or --all');
  return args.positionals.map((id) => {
    const lab = labs.get(id);
    if (!lab) throw new UsageError(`no lab "${id}" (known: ${[...labs.keys()].join(', ')})`);
    return lab;
  });
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { process.stdout.write(HELP); return name ? EXIT.ok : EXIT.usage; }
  const cmd = commands[name];
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`);
    const args = parseCliArgs(rest, cmd.flags);
    if (args.help) { process.stdout.write(HELP); return EXIT.ok; }
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`labs: ${e.message}\nRun \`labs --help\` for usage.`); return EXIT.usage; }
    if (e instanceof ApiClientError) {
      console.error(`labs: ${e.message}`);
      return e.code === 'unreachable' || e.code === 'bad-response' || e.code === 'backend-unavailable' ? EXIT.unavailable : EXIT.failed;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(e);
  process.exitCode = 70;
});
