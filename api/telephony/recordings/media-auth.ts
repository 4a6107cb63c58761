// Credentials for fetching a recording's media from the carrier itself: Twilio accounts that enforce
// HTTP auth on media URLs answer 401 without Basic auth (account SID and auth token). Sent only over
// https to api.twilio.com, for the account the URL names; any other URL gets no credentials.

const TWILIO_MEDIA = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Recordings\//;

export function mediaAuthHeaders(url: string, twilioAuthToken: string | undefined): Record<string, string> {
  if (!twilioAuthToken) return {};
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return {};
  }
  const account =
    u.protocol === "https:" && u.hostname === "api.twilio.com" && TWILIO_MEDIA.exec(u.pathname)?.[1];
  if (!account) return {};
  return { authorization: `Basic ${Buffer.from(`${account}:${twilioAuthToken}`).toString("base64")}` };
}
