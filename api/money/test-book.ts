// Test support for the money property tests: an in-memory ledger that takes each posting once per id
// and reads back account sums and a seller's position, as Postgres and api/money read them.
import {
  type PostingDraft,
  sellerAccount,
  sellerPendingAccount,
  sellerReceivableAccount,
} from "../ledger/postings.ts";

export class PostingBook {
  postings = new Map<string, PostingDraft>();
  holds = new Map<string, { sellerId: string; availableAt: number; released: boolean }>();
  now = 0;
  runs = 0;

  /** Records the posting; false when its id was posted already (a redelivery). */
  post(d: PostingDraft): boolean {
    if (this.postings.has(d.id)) return false;
    this.postings.set(d.id, d);
    return true;
  }
  sum(accountId: string, f: (p: PostingDraft) => boolean = () => true) {
    let s = 0;
    for (const p of this.postings.values())
      if (f(p)) for (const e of p.entries) if (e.accountId === accountId) s += e.amountMicros;
    return s;
  }
  /** The seller's money on hold, payable and owed, as positive figures. */
  position(sellerId: string) {
    return {
      pending: -this.sum(sellerPendingAccount(sellerId)) || 0,
      payable: -this.sum(sellerAccount(sellerId)) || 0,
      receivable: this.sum(sellerReceivableAccount(sellerId)),
    };
  }
}
