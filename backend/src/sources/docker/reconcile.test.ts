import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InventoryContainer } from '../../sinks/store/inventory.js';
import type { ContainerInspect } from './inspect.js';
import { reconcileEvents } from './reconcile.js';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace('.000Z', '.000000000Z');
const cutoff = BigInt(Date.UTC(2026, 0, 1, 0, 1, 0)) * 1_000_000n;

function inv(id: string, state: string, updated: number, started?: number): InventoryContainer {
  return { id, name: id, image: 'img', image_id: null, state, health: null, exit_code: null, created_at: T(0), started_at: started === undefined ? null : T(started), finished_at: null, labels: { app: 'a' }, posture: {}, updated_time: T(updated) };
}
function engine(id: string, status: string, created: number, started?: number, finished?: number, exit = 0) {
  const inspect: ContainerInspect = {
    Id: id, Name: `/${id}`, Created: T(created), Config: { Image: 'img', Labels: { app: 'a' } },
    State: { Status: status, StartedAt: started === undefined ? '0001-01-01T00:00:00Z' : T(started), FinishedAt: finished === undefined ? '0001-01-01T00:00:00Z' : T(finished), ExitCode: exit },
  };
  return { summary: { Id: id, State: status }, inspect };
}
const actions = (evs: ReturnType<typeof reconcileEvents>) => evs.map((e) => `${e.raw.Actor?.ID}:${e.raw.Action}${e.raw.Actor?.Attributes?.exitCode ? `(${e.raw.Actor.Attributes.exitCode})` : ''}`);

describe('reconcileEvents', () => {
  it('reports nothing when the inventory matches the engine', () => {
    assert.deepEqual(reconcileEvents([inv('a', 'running', 10, 10)], [engine('a', 'running', 0, 10)], cutoff), []);
    assert.deepEqual(reconcileEvents([inv('b', 'exited', 20, 10)], [engine('b', 'exited', 0, 10, 20, 1)], cutoff), []);
  });

  it('reports unseen containers with the times the engine recorded, in time order', () => {
    const evs = reconcileEvents([], [engine('n', 'exited', 5, 6, 30, 2), engine('m', 'running', 1, 2)], cutoff);
    assert.deepEqual(actions(evs), ['m:create', 'm:start', 'n:create', 'n:start', 'n:die(2)']);
    assert.equal(evs[4]!.nanos, (BigInt(Date.UTC(2026, 0, 1, 0, 0, 30)) * 1_000_000n).toString());
    assert.equal(evs[0]!.raw.Actor?.Attributes?.app, 'a', 'labels travel as attributes');
  });

  it('leaves containers created after the cutoff to the live stream', () => {
    assert.deepEqual(reconcileEvents([], [engine('late', 'running', 61, 62)], cutoff), []);
  });

  it('reports removals, deaths and restarts that happened while away', () => {
    const evs = reconcileEvents(
      [inv('gone', 'running', 10, 10), inv('died', 'running', 10, 10), inv('again', 'running', 10, 10), inv('woke', 'exited', 10, 5)],
      [engine('died', 'exited', 0, 10, 40, 137), engine('again', 'running', 0, 45, 44, 0), engine('woke', 'running', 0, 50)],
      cutoff,
    );
    assert.deepEqual(actions(evs), ['died:die(137)', 'again:die(0)', 'again:start', 'woke:start', 'gone:destroy']);
  });
});
