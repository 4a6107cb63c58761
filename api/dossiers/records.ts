// A call's audit row as a dossier record, pure: the row's hash inputs and its event data as the viewer
// may see it, flagged whole only when nothing was cut and the data still has its audited digest.
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import { type ChainRow, payloadDigest } from "../audit/chain.ts";
import { type Viewer, viewAs } from "../views/policy.ts";
import { type AuditRecord, rowTuple } from "./proof.ts";

export function recordOf(viewer: Viewer, row: ChainRow, data: unknown): AuditRecord {
  const seen = viewAs(viewer, data);
  // Not whole either when the stored data lost its audited digest (an erased caller hash).
  const whole = canonicalJson(seen) === canonicalJson(data) && payloadDigest(data) === row.payloadDigest;
  return { auditRow: rowTuple(row), data: seen, dataWhole: whole };
}
