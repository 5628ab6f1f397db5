/** The request a session was created by, as the session layer records it under CLIENT_KEY. */
export interface SessionClient {
  ip: string;
  /** A short summary of the user agent, e.g. "Firefox on Windows". */
  agent: string;
}

/** Most characters kept of an IP as the request reports it (a proxy's header could say anything). */
const MAX_IP = 64;

/** Checked in order: Edge and Opera also say Chrome, Chrome also says Safari. */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\b(Headless)?Chrome\/|\bCriOS\/|\bChromium\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/^curl\//, "curl"],
];

/** Checked in order: Android also says Linux, iOS also says "like Mac OS X". */
const SYSTEMS: [RegExp, string][] = [
  [/\bAndroid\b/, "Android"],
  [/\b(iPhone|iPad|iPod)\b/, "iOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

/** "Chrome on Linux", "Firefox", "an unknown browser": enough for a person to recognise a device, and small to store. */
export function summariseAgent(agent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `a browser on ${system}` : "an unknown browser");
}

export function describeClient({ ip, agent }: { ip: string; agent: string }): SessionClient {
  return { ip: ip.slice(0, MAX_IP), agent: summariseAgent(agent) };
}
