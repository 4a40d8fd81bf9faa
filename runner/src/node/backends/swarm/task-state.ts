// Where a lab's one task stands, read from the swarm manager's task list and
// the node it was placed on: still being placed, running (with its container
// and node), refused (the reason Swarm gives), or ended — and then why, in words
// a learner can act on: the machine was drained, left the swarm, or the lab exited.
// Pure: the backend feeds it the manager's answers.
import type { Words } from '../../../common/langs.ts';

export interface TaskInfo {
  ID: string;
  NodeID?: string;
  ServiceID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}

export interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
  Spec?: { Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
}

export type TaskReading =
  | { kind: 'pending'; why: string }
  | { kind: 'running'; containerId: string; nodeId: string }
  | { kind: 'refused'; why: string }
  | { kind: 'ended'; why: Words };

/** Task states before a container runs (docker/swarmkit api/types.proto). */
const NOT_YET = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
const FAILED = new Set(['failed', 'rejected', 'orphaned']);

/** The newest task of the service (a lab's service has one; Swarm never makes a second with restart `none`). */
export function newestTask(tasks: readonly TaskInfo[]): TaskInfo | null {
  return [...tasks].sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''))[0] ?? null;
}

export function readTask(task: TaskInfo | null, node: NodeInfo | null): TaskReading {
  if (!task) return { kind: 'pending', why: 'no task yet' };
  const state = task.Status?.State ?? 'new';
  const host = node?.Description?.Hostname ?? task.NodeID?.slice(0, 12) ?? 'its node';
  if (state === 'running') {
    const containerId = task.Status?.ContainerStatus?.ContainerID;
    if (!containerId || !task.NodeID) return { kind: 'pending', why: 'running, container not reported yet' };
    // Running, but its machine is going away: the lab is as good as gone.
    const lost = nodeLoss(node, host);
    if (lost) return { kind: 'ended', why: lost };
    return { kind: 'running', containerId, nodeId: task.NodeID };
  }
  if (NOT_YET.has(state)) {
    // "no suitable node (insufficient resources on 2 nodes)": Swarm keeps it pending; the caller decides how long to wait.
    return { kind: 'pending', why: task.Status?.Err || task.Status?.Message || state };
  }
  if (FAILED.has(state)) {
    const why = task.Status?.Err || task.Status?.Message || state;
    return task.DesiredState === 'running' || state === 'rejected' ? { kind: 'refused', why: `${state} on ${host}: ${why}` } : { kind: 'ended', why: { en: `the lab failed on ${host}: ${why}`, ko: `실습이 ${host}에서 실패했습니다: ${why}` } };
  }
  // shutdown, complete, remove: the task is over. Swarm does not say why; the node does.
  return { kind: 'ended', why: nodeLoss(node, host) ?? { en: `the lab's container on ${host} ended (${state})`, ko: `${host}의 실습 컨테이너가 끝났습니다(${state})` } };
}

function nodeLoss(node: NodeInfo | null, host: string): Words | null {
  if (!node) return { en: `the machine running the lab (${host}) left the workshop pool`, ko: `실습이 돌던 머신(${host})이 워크숍 풀에서 빠졌습니다` };
  if (node.Spec?.Availability === 'drain') {
    return { en: `the machine running the lab (${host}) was drained by the instructor; your progress is kept: press Start for a new lab`, ko: `실습이 돌던 머신(${host})을 강사가 비웠습니다(drain). 진행 상황은 남아 있으니 시작을 눌러 새 실습을 여십시오` };
  }
  if (node.Status?.State === 'down' || node.Status?.State === 'disconnected') {
    return { en: `the machine running the lab (${host}) is unreachable (${node.Status.State}); your progress is kept: press Start for a new lab`, ko: `실습이 돌던 머신(${host})에 닿을 수 없습니다(${node.Status.State}). 진행 상황은 남아 있으니 시작을 눌러 새 실습을 여십시오` };
  }
  return null;
}
