import { Test } from '@nestjs/testing';
import { UserTokenService } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator, usePersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppModule } from '../src/app.module';

// Where `nest new` puts its e2e spec: run by the same `jest` because testRegex takes *.e2e-spec.ts.
describe('AppModule (e2e)', () => {
  const simulator = new PersonalizedOffersSimulator();

  afterAll(async () => {
    await simulator.stop();
  });

  it('boots the whole application against the simulator', async () => {
    const moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [AppModule] }), simulator).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    expect(await app.get(UserTokenService).getUserToken('bob')).toBe(simulator.tokenFor('999999', 'bob'));
    await app.close();
  });
});
