/**
 * The FakeClient's model registry and audit (model.improve/list/use/rollback, audit.get/start): a
 * small consistent model of what services/registry.ts and services/audit.ts do, for component specs.
 */
import { ApiError, type ArgsOf, type AuditState, type CellView, type Methods, type ModelVersion, type TaskState } from '../../shared/contract.js';

type Learning = 'model.improve' | 'model.list' | 'model.use' | 'model.rollback' | 'audit.get' | 'audit.start';
type Handlers = { [K in Learning]: (args: ArgsOf<K>) => ReturnType<Methods[K]> };

export class FakeLearning {
  versions: ModelVersion[] = [
    { version: 1, arch: 'cnn-m', createdAt: '2026-01-01T00:00:00Z', active: true, sha256: 'ab'.repeat(32), testAccuracy: 0.9961, holdoutAccuracy: null, promoted: null, reason: null, base: null },
  ];
  history = [1];
  audit: Omit<AuditState, 'autoCells'> | null = null;

  constructor(private readonly side: { tasks: TaskState[]; cells: CellView[] }) {}

  private switchTo(version: number): void {
    for (const v of this.versions) v.active = v.version === version;
  }

  private auditState(): AuditState {
    const autoCells = this.side.cells.filter((c) => c.status === 'auto').length;
    return this.audit ? { ...this.audit, autoCells } : { started: false, rate: 0.02, min: 20, drawnAt: null, sampled: 0, checked: 0, wrong: 0, pending: 0, autoCells, estimate: null };
  }

  handlers(): Handlers {
    return {
      'model.improve': ({ epochs }) => {
        const task: TaskState = { id: `t${this.side.tasks.length + 1}`, kind: 'improve', title: `Improving the model${epochs ? ` (${epochs} epochs)` : ''}`, status: 'running', progress: 0, message: null, epochs: [] };
        this.side.tasks.push(task);
        return { taskId: task.id };
      },
      'model.list': () => this.versions.map((v) => ({ ...v })),
      'model.use': ({ version }) => {
        const previous = this.history.at(-1)!;
        if (!this.versions.some((v) => v.version === version)) throw new ApiError('not-found', `no model version ${version}`);
        if (version !== previous) this.history.push(version);
        this.switchTo(version);
        return { version, previous };
      },
      'model.rollback': () => {
        if (this.history.length < 2) throw new ApiError('conflict', 'nothing to roll back to');
        const previous = this.history.pop()!;
        this.switchTo(this.history.at(-1)!);
        return { version: this.history.at(-1)!, previous };
      },
      'audit.get': () => this.auditState(),
      'audit.start': () => {
        if (!this.audit) {
          const sample = this.side.cells.filter((c) => c.status === 'auto').slice(0, 20);
          for (const c of sample) Object.assign(c, { status: 'flagged', value: null, reason: 'audit sample' });
          this.audit = { started: true, rate: 0.02, min: 20, drawnAt: '2026-01-02T00:00:00Z', sampled: sample.length, checked: 0, wrong: 0, pending: sample.length, estimate: null };
        }
        return this.auditState();
      },
    };
  }
}
