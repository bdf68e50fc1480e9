import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { UserTokenService } from 'nestjs-personalized-offers';
import { DemoAuthGuard } from './demo-auth.guard.js';

/** What controllers do with the module: inject `UserTokenService`, ask for the signed-in user's token. */
@Controller('user-token')
@UseGuards(DemoAuthGuard)
export class UserTokenController {
  constructor(private readonly userTokens: UserTokenService) {}

  @Get()
  async get(@Req() request: Request & { demoUserId: string }): Promise<{ token: string }> {
    return { token: await this.userTokens.getUserToken(request.demoUserId) };
  }
}
