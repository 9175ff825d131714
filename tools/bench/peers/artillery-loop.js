// The end of the run for leaderboard.artillery.yaml: each user's loop goes on while
// running() says so: LG_PEER_DURATION_S seconds after the first user starts, so that
// every user stops after a whole journey, as loadgate's VUs and Locust's users do.
'use strict';

let deadline = null;

function running(context, next) {
  if (deadline === null) {
    deadline = Date.now() + 1000 * Number(process.env.LG_PEER_DURATION_S || 10);
  }
  return next(Date.now() < deadline);
}

module.exports = { running };
