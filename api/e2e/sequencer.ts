// Orders e2e test files: the chaos tests (they kill stack processes) run last, so the other files
// never meet a stack that is still recovering; everything else runs in path order.
import { BaseSequencer, type TestSpecification } from "vitest/node";

const CHAOS = /(crash|failover)\.e2e\.test\.ts$/;

export default class ChaosLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (f: TestSpecification) => `${CHAOS.test(f.moduleId) ? "1" : "0"}${f.moduleId}`;
    return [...files].sort((a, b) => key(a).localeCompare(key(b)));
  }
}
