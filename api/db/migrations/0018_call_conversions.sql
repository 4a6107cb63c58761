-- Hand-written: a conversion-billed call's conversion state in the calls read model ('awaiting' while
-- its buyer's hold waits for the postback, then 'converted' or 'not_converted'; null for duration
-- billing), so reconciliation counts an awaiting call's hold as open.
ALTER TABLE "calls" ADD COLUMN "conversion_status" text;
