/**
 * xcube's expression API (`/expressions/capabilities`, `/expressions/validate/{id}/{expr}`), which xcube's
 * viewer asks for at start-up: this server computes no expression variables, and says so in xcube's shape
 * (empty lists) rather than with an error the viewer would show.
 */
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { ApiError } from '../errors';
import { Request, sendJson } from '../http';

export async function expressionRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s[0] !== 'expressions') {
    return false;
  }
  if (s[1] === 'capabilities' && s.length === 2) {
    sendJson(req, res, 200, {
      namespace: { constants: [], arrayFunctions: [], otherFunctions: [], arrayOperators: [], otherOperators: [] }
    });
    return true;
  }
  if (s[1] === 'validate' && s.length === 4) {
    ctx.registry.dataset(s[2]);
    throw new ApiError(400, `Expression variables are not supported by this server ('${s[3]}')`, 'varExpr');
  }
  return false;
}
