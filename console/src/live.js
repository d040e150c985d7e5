/** Keeps one venue day's snapshot live over `snapshot:watch`: newer versions only, reconnecting from the last one. */

/**
 * Whether a message from the watch may replace what is shown: only a newer version, or a
 * resync (the server no longer knows our version, so its snapshot is the current one).
 */
export function accepts(shownVersion, message) {
  if (!message?.snapshot) return false;
  if (message.resync) return true;
  return shownVersion === null || Number(message.snapshot.version) > shownVersion;
}

/** The wait before reconnect attempt `attempt` (0-based): 250 ms doubling, capped at 4 s. */
export function backoffMs(attempt) {
  return Math.min(4000, 250 * 2 ** attempt);
}

/**
 * Watch until `signal` aborts.
 *
 * - `open(lastVersion, signal)` yields the stream's messages (lastVersion is null at first);
 * - `current(signal)` reads the snapshot once: on a reconnect the server sends nothing until
 *   the next change when we already have the newest version, so this read is what proves the
 *   version shown is still current before the view says "live" again;
 * - `onSnapshot(message)` gets each accepted message, `onStatus({live, error, version})`
 *   each change of connection.
 *
 * A stream that ends or fails is opened again with the version shown, so the server resumes
 * from there; meanwhile the view is told it is not live.
 */
export async function watch({ open, current, onSnapshot, onStatus, signal, sleep = defaultSleep }) {
  let shown = null;
  let attempt = 0;
  let connection = 0;
  const show = (message, mine) => {
    if (signal.aborted || mine !== connection) return;
    if (accepts(shown, message)) {
      shown = Number(message.snapshot.version);
      onSnapshot(message);
    }
    if (Number(message.snapshot.version) >= shown) {
      attempt = 0;
      onStatus({ live: true, error: null, version: shown });
    }
  };
  while (!signal.aborted) {
    connection += 1;
    const mine = connection;
    let error = null;
    try {
      const stream = open(shown, signal);
      if (shown !== null && current) {
        current(signal).then((snapshot) => show({ snapshot, resync: false }, mine), () => {});
      }
      for await (const message of stream) {
        if (signal.aborted) return;
        show(message, mine);
      }
    } catch (failure) {
      error = failure;
    }
    connection += 1; // late answers of the closed connection are ignored
    if (signal.aborted) return;
    onStatus({ live: false, error, version: shown });
    if (refused(error)) return; // a new token is needed first
    await sleep(backoffMs(attempt), signal);
    attempt += 1;
  }
}

/** An answer no retry can change: the token is not (or no longer) good for this venue. */
export function refused(error) {
  return [401, 403].includes(error?.httpStatus) || [7, 16].includes(error?.status?.code);
}

function defaultSleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
