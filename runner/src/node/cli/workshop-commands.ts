// `labs workshop …`, `labs grade` and `labs progress`: the instructor's and the
// self-paced learner's commands, over the runner's HTTP API with the owner token.
import { newestFirst } from '../../common/api-client.ts';
import { parseDuration, type WorkshopInfo } from '../../common/workshop.ts';
import { flagValue, UsageError, type ParsedArgs } from './args.ts';
import { findRunner, resolveWorkshop } from './runner-client.ts';

const print = (v: unknown): void => { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); };

/** `2h`, `90m` from `base`, or an absolute ISO time. */
export function parseWhen(text: string, base: number, flag: string): string {
  const ms = parseDuration(text);
  if (ms !== null) return new Date(base + ms).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--${flag} "${text}" is neither a duration (90m, 2h, 1h30m, 1d) nor a time (2025-05-01T09:00:00Z)`);
  return new Date(t).toISOString();
}

function describe(w: WorkshopInfo, url: string): string {
  return [
    `workshop ${w.id} "${w.title}" — ${w.state}, ${w.seatsTaken}/${w.seats} seats, labs ${w.labs.join(', ')}`,
    `  ${w.startsAt} → ${w.endsAt}`,
    `  join code: ${w.joinCode}`,
    `  join link: ${url}${w.joinPath}`,
  ].join('\n');
}

export async function workshopCommand(args: ParsedArgs): Promise<number> {
  const [sub, ref] = args.positionals;
  const c = findRunner(flagValue(args, 'url'));
  const json = args.flags.get('json') === true;
  switch (sub) {
    case 'create': {
      const labs = flagValue(args, 'labs')?.split(',').map((s) => s.trim()).filter(Boolean);
      if (!labs?.length) throw new UsageError('workshop create needs --labs <lab>[,<lab>…]');
      const seats = Number(flagValue(args, 'seats') ?? NaN);
      if (!Number.isInteger(seats) || seats < 1) throw new UsageError(`--seats must be a whole number ≥ 1, got "${flagValue(args, 'seats') ?? ''}"`);
      const endsText = flagValue(args, 'ends');
      if (!endsText) throw new UsageError('workshop create needs --ends (a duration such as 2h, or a time)');
      const now = Date.now();
      const startsAt = flagValue(args, 'starts') ? parseWhen(flagValue(args, 'starts')!, now, 'starts') : undefined;
      const endsAt = parseWhen(endsText, startsAt ? Date.parse(startsAt) : now, 'ends');
      const title = flagValue(args, 'title');
      const w = await c.workshops.create({ labs, seats, endsAt, ...(startsAt ? { startsAt } : {}), ...(title ? { title } : {}) });
      if (json) { print({ ...w, joinUrl: `${c.url}${w.joinPath}` }); return 0; }
      console.log(describe(w, c.url));
      console.log(`\nLearners open the join link (use the address they reach this runner at) or enter the code.`);
      console.log(`Roster: labs workshop roster ${w.id}    Grades: labs grade ${w.id} --csv`);
      // The token rides in the fragment: the browser keeps it, it is never sent in a request line or logged.
      console.log(`Instructor dashboard (private: the link carries your owner token): ${c.url}/instructor#owner=${c.token}`);
      return 0;
    }
    case 'list': {
      const workshops = newestFirst((await c.workshops.list()).workshops);
      if (json) { print({ workshops }); return 0; }
      if (!workshops.length) console.log('no workshops; create one with `labs workshop create --labs <lab> --seats 20 --ends 2h`');
      for (const w of workshops) console.log(`${describe(w, c.url)}\n`);
      return 0;
    }
    case 'show': {
      const w = await resolveWorkshop(c, ref);
      if (json) print(w); else console.log(describe(w, c.url));
      return 0;
    }
    case 'close': {
      const w = await resolveWorkshop(c, ref);
      const closed = await c.workshops.close(w.id);
      if (json) print(closed); else console.log(`workshop ${closed.id} closed; its learners' labs are stopped, their progress is kept`);
      return 0;
    }
    case 'roster': {
      const w = await resolveWorkshop(c, ref);
      const r = await c.workshops.roster(w.id);
      if (json) { print(r); return 0; }
      console.log(`${r.workshop.title} (${r.workshop.id}) — ${r.learners.length} learner(s)`);
      for (const l of r.learners) {
        const labs = l.labs.map((lab) => {
          const passed = lab.tasks.filter((t) => t.status === 'passed').length;
          const closed = lab.tasks.filter((t) => t.closed).length;
          return `${lab.labId} ${passed}/${lab.tasks.length}${lab.score !== passed ? ` =${lab.score}` : ''}${closed ? ` ${closed}x` : ''}${lab.hintsUsed ? ` ${lab.hintsUsed}h` : ''}${lab.solutionRevealed ? ' S' : ''}${lab.liveSessionId ? ' ●' : ''}`;
        });
        console.log(`  ${l.name.padEnd(24)} ${labs.join('   ')}`);
      }
      console.log('  (n/m tasks passed, =score after attempt penalties, x questions closed by their attempt limit, h hints, S solution shown, ● lab running)');
      return 0;
    }
    default:
      throw new UsageError(`workshop needs a subcommand: create, list, show, close or roster (got "${sub ?? ''}")`);
  }
}

export async function gradeCommand(args: ParsedArgs): Promise<number> {
  const c = findRunner(flagValue(args, 'url'));
  const w = await resolveWorkshop(c, args.positionals[0]);
  if (args.flags.get('csv')) {
    process.stdout.write(await c.workshops.gradesFile(w.id, 'csv'));
    return 0;
  }
  const report = await c.workshops.grades(w.id);
  if (args.flags.get('json')) { print(report); return 0; }
  console.log(`${w.title} (${w.id}) — grades as of ${report.generatedAt}`);
  for (const l of report.learners) {
    const labs = l.labs.map((lab) => `${lab.labId} ${lab.tasksPassed}/${lab.tasksTotal}`).join('   ');
    console.log(`  ${l.name.padEnd(24)} ${(l.credit * 100).toFixed(0).padStart(3)}%   ${labs}`);
  }
  return 0;
}

export async function progressCommand(args: ParsedArgs): Promise<number> {
  const c = findRunner(flagValue(args, 'url'));
  const p = await c.sessions.progress();
  if (args.flags.get('json')) { print(p); return 0; }
  for (const lab of p.labs) {
    const when = lab.lastSession ? `  last ${lab.lastSession.live ? 'running now' : lab.lastSession.startedAt}` : '';
    console.log(`${lab.labId.padEnd(20)} ${lab.status.padEnd(12)} ${lab.tasksPassed.length}/${lab.tasksTotal} tasks  ${Math.round(lab.activeSeconds / 60)} min${when}`);
  }
  return 0;
}
