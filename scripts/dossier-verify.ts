// `npm run dossier:verify -- <file> [--public-key <base64|file>]`: checks a call dossier offline (no
// network, no database): the exchange's Ed25519 signature and every inclusion link up to the audit
// checkpoint it names. Exit 0 when it holds; 1 with one line per problem when anything was tampered
// with; 2 when the file or key cannot be read.
import { existsSync, readFileSync } from "node:fs";
import { type SignedDossier, verifyDossier } from "../api/dossiers/verify.ts";
import { isMain } from "./is-main.ts";

/** A public key given as raw base64, or a file holding it (or `GET /v1/dossiers/public-key`'s JSON). */
export function readPublicKey(arg: string): string {
  const text = existsSync(arg) ? readFileSync(arg, "utf8").trim() : arg.trim();
  if (text.startsWith("{")) return String((JSON.parse(text) as { publicKey?: string }).publicKey ?? "");
  return text;
}

export function runVerify(argv: readonly string[]): { code: number; lines: string[] } {
  const at = argv.indexOf("--public-key");
  const keyArg = at >= 0 ? argv[at + 1] : undefined;
  const file = argv.find((a, i) => !a.startsWith("--") && (at < 0 || i !== at + 1));
  if (!file || (at >= 0 && !keyArg))
    return { code: 2, lines: ["usage: npm run dossier:verify -- <file> [--public-key <base64|file>]"] };
  let dossier: SignedDossier;
  try {
    dossier = JSON.parse(readFileSync(file, "utf8")) as SignedDossier;
  } catch (err) {
    return { code: 2, lines: [`cannot read ${file}: ${(err as Error).message}`] };
  }
  const verdict = verifyDossier(dossier, keyArg === undefined ? undefined : readPublicKey(keyArg));
  if (!verdict.ok)
    return {
      code: 1,
      lines: [
        `REFUSED: ${file} does not verify`,
        ...verdict.problems.map((p) => `  ${p.part}: ${p.message}`),
      ],
    };
  const body = dossier.dossier;
  const cut = body.records.filter((r) => !r.dataWhole).length;
  const rows = body.proof.segments.reduce((n, s) => n + s.leaves.length, 0);
  const anchors = verdict.checkpoints.map((c) => `#${c.id} (seq ${c.seq}, head ${c.head}, ${c.at})`);
  return {
    code: 0,
    lines: [
      `OK: dossier of call ${body.callId} for ${body.issuedTo}`,
      `  signature: Ed25519, key ${dossier.signature.signingKeyId} (${verdict.keySource === "given" ? "the key you gave" : "the key the file names: compare it with GET /v1/dossiers/public-key"})`,
      `  ${body.records.length} records linked through ${rows} audit rows of chain ${body.proof.auditChain} (the others as opaque leaves) to checkpoint ${anchors.join(" and ")}`,
      `  ${body.postings.length} postings and ${body.recordings.length} recordings match audited records`,
      ...(cut > 0
        ? [`  ${cut} records show data cut by your view: their digests are covered by the signature only`]
        : []),
      "  not checked offline: the checkpoint's HMAC (the exchange's key; GET /v1/audit/verify checks it)",
    ],
  };
}

if (isMain(import.meta.url)) {
  const { code, lines } = runVerify(process.argv.slice(2));
  for (const l of lines) (code === 0 ? console.log : console.error)(l);
  process.exit(code);
}
