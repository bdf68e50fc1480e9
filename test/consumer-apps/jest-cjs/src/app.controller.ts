import { Controller, Get, Req } from '@nestjs/common';
import { UserTokenService } from 'nestjs-personalized-offers';

@Controller()
export class AppController {
  constructor(private readonly userTokens: UserTokenService) {}

  // `req.user.id`: the cardholder's id from the app's own verified session.
  @Get('session')
  async session(@Req() req: { user: { id: string } }): Promise<{ token: string }> {
    return { token: await this.userTokens.getUserToken(req.user.id) };
  }
}
