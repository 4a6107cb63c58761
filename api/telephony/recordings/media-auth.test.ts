// Carrier media credentials go only to Twilio's own media URLs, over https, for the account named.
import { describe, expect, it } from "vitest";
import { mediaAuthHeaders } from "./media-auth.ts";

const ACCOUNT = `AC${"0a".repeat(16)}`;
const media = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE${"1b".repeat(16)}`;

describe("mediaAuthHeaders", () => {
  it("sends Basic auth (account SID, auth token) to Twilio's media URL", () => {
    const want = `Basic ${Buffer.from(`${ACCOUNT}:tok`).toString("base64")}`;
    expect(mediaAuthHeaders(media, "tok")).toEqual({ authorization: want });
    expect(mediaAuthHeaders(`${media}.mp3`, "tok")).toEqual({ authorization: want });
  });

  it("sends nothing elsewhere, over http, without a token, or to an unparsable URL", () => {
    expect(mediaAuthHeaders(media, "")).toEqual({});
    expect(mediaAuthHeaders(media.replace("https:", "http:"), "tok")).toEqual({});
    expect(mediaAuthHeaders(media.replace("api.twilio.com", "api.twilio.com.evil.example"), "tok")).toEqual(
      {},
    );
    expect(mediaAuthHeaders("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/x", "tok")).toEqual({});
    expect(mediaAuthHeaders("http://127.0.0.1:9/media/RE1", "tok")).toEqual({});
    expect(mediaAuthHeaders("not a url", "tok")).toEqual({});
  });
});
