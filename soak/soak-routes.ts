/**
 * The operations the example app has no route for, served next to its own routes in the soak's
 * app process (soak/app-process.ts), so the soak drives every operation of the module over HTTP
 * and the heap it measures is the app's with all of them in use. Same demo authentication
 * (`X-Demo-User-Id`) and the app's `PersonalizedOffersExceptionFilter` for errors.
 */
import { Body, Controller, Get, Headers, Param, Post, Query, UnauthorizedException } from '@nestjs/common';
import { AccessTokenService, type AdminOfferFilter, type Impression, PlatformAdminService, UserPresentmentService } from 'nestjs-personalized-offers';

const user = (id: string | undefined): string => {
  if (!id) throw new UnauthorizedException('Demo authentication: send the X-Demo-User-Id header.');
  return id;
};

@Controller('soak')
export class SoakRoutesController {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly presentment: UserPresentmentService,
    private readonly admin: PlatformAdminService,
  ) {}

  /** createAccessToken: a new token every call (no cache). */
  @Get('access-token')
  async accessToken(@Headers('x-demo-user-id') id?: string): Promise<{ token: string }> {
    return { token: await this.tokens.createAccessToken(user(id)) };
  }

  @Get('ratings')
  ratings(@Headers('x-demo-user-id') id?: string) {
    return this.presentment.getOfferRatings(user(id), { limit: 10 });
  }

  @Get('ratings/:offerId')
  rating(@Param('offerId') offerId: string, @Headers('x-demo-user-id') id?: string) {
    return this.presentment.getOfferRating(user(id), offerId);
  }

  @Get('adjustments')
  adjustments(@Headers('x-demo-user-id') id?: string) {
    return this.presentment.getUserPresentmentAdjustments(user(id), { limit: 10 });
  }

  @Get('geo-locations')
  geoLocations(@Query('keywords') keywords: string, @Headers('x-demo-user-id') id?: string) {
    return this.presentment.findGeoLocations(user(id), { keywords, limit: 5 });
  }

  @Post('impressions')
  impressions(@Body() body: { impressions: Impression[] }, @Headers('x-demo-user-id') id?: string) {
    return this.presentment.publishImpressions(user(id), body.impressions);
  }

  @Post('admin/offers/search')
  searchAdminOffers(@Body() filter: AdminOfferFilter) {
    return this.admin.searchAdminOffers(filter);
  }

  @Get('admin/adjustments')
  adminAdjustments() {
    return this.admin.getAdjustments({ limit: 10 });
  }
}
