/** What a pasted bearer token says about its holder (read only for display; the API verifies it). */

/** The claims of a JWT, or null when the text is not one. */
export function claimsOf(token) {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const claims = JSON.parse(atob(padded));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

/** The venues a token names: a list of ids, or "*" for every venue. */
export function venuesOf(claims) {
  const venues = Array.isArray(claims?.venues) ? claims.venues.map(String) : [];
  return venues.includes("*") ? "*" : venues;
}

/** True when the token's expiry has passed at `nowMs`. */
export function expired(claims, nowMs) {
  return typeof claims?.exp === "number" && claims.exp * 1000 <= nowMs;
}
