// Device-token rotation, as the kiosk and the terminal do it when the server says their token is due
// (the terminal's `token_rotate` message, the kiosk stream's `token_rotate` event): ask for the new
// token, whose answer sets the httpOnly device cookie, then show the server it arrived with one request
// made with it (until then the old token stays valid, so nothing is lost if the answer never comes).
import { DEVICE_TOKEN_PATH } from '../terminal/protocol.ts';
import { call, whoAmI } from './http.ts';

let busy = false;

/** Never throws: a failed rotation leaves the old token in force, and the server asks again later. */
export async function rotateDeviceToken(): Promise<boolean> {
  if (busy) return false;
  busy = true;
  try {
    await call('POST', DEVICE_TOKEN_PATH, {});
    await whoAmI();
    return true;
  } catch {
    return false;
  } finally {
    busy = false;
  }
}
