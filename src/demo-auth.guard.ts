import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

/**
 * DEMO STAND-IN FOR AUTHENTICATION. Do not ship this.
 *
 * It trusts the `X-Demo-User-Id` header, which any caller can set. A real app takes the
 * cardholder's id from its own verified session (a validated JWT, a session cookie), never from
 * a raw header or URL, or anyone could fetch anyone's token.
 */
@Injectable()
export class DemoAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request & { demoUserId?: string }>();
    const userId = request.header('x-demo-user-id');
    if (!userId) throw new UnauthorizedException('Demo authentication: send the X-Demo-User-Id header.');
    request.demoUserId = userId;
    return true;
  }
}
