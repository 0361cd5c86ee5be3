import { describe, expect, it } from "vitest";
import { Auth } from "@auth/core";
import { encode } from "next-auth/jwt";
import { authCallbacks, readSessionId } from "./auth-callbacks";

// What /api/auth/session hands to any script in the page: never the server-side session id.
// The id stays inside the sealed cookie, where only the server reads it.

const SECRET = "session-test-secret-0123456789abcdef";
const SID = "sess_3f9a2c7e5b1d4e8f";
const USER = "0b9c3d3e-4d7e-4f6a-9a57-9b2f1c0e0001";
const cookie = async (name = "authjs.session-token") => `${name}=${await encode({ token: { sub: USER, sid: SID }, secret: SECRET, salt: name })}`;

describe("the session id", () => {
  it("is not in /api/auth/session", async () => {
    const res = await Auth(new Request("http://localhost:3000/api/auth/session", { headers: { cookie: await cookie() } }), {
      secret: SECRET,
      trustHost: true,
      basePath: "/api/auth",
      session: { strategy: "jwt" },
      providers: [],
      callbacks: authCallbacks,
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ userId: USER });
    expect(text).not.toContain(SID);
  });

  it("is read by the server from the sealed cookie (http and https cookie names)", async () => {
    expect(await readSessionId(new Headers({ cookie: await cookie() }), SECRET)).toBe(SID);
    expect(await readSessionId(new Headers({ cookie: `a=b; ${await cookie("__Secure-authjs.session-token")}` }), SECRET)).toBe(SID);
    expect(await readSessionId(new Headers({ cookie: await cookie() }), "another-secret-0123456789abcdef")).toBeNull();
    expect(await readSessionId(new Headers({ cookie: "authjs.session-token=forged" }), SECRET)).toBeNull();
    expect(await readSessionId(new Headers(), SECRET)).toBeNull();
  });
});
