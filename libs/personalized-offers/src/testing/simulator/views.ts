import { type CatalogueOffer, POINTS_CONVERSION_RATE, isoDay, money, offerTexts } from './catalogue.js';
import type { RedeemedOfferState, SimulatorActivation, UserOfferState } from './state.js';

// The v1.5 legacy wire shapes. Only fields the v1.5 schemas declare, all strings (money too),
// lists as arrays; deprecated ("Disregard") and reserved-but-meaningless fields are left out.

type Json = Record<string, unknown>;

const imageUrl = (offer: CatalogueOffer) => `https://${offer.merchant.domain}/assets/logo_85x85.png`;

function merchant(offer: CatalogueOffer): Json {
  const m = offer.merchant;
  return {
    Addresses: { Address: [{ Street: m.street, Latitude: m.latitude, Longitude: m.longitude }] },
    Name: m.name,
    Category: m.category,
    MerchantDistance: '0.0',
    WebsiteUrl: `https://${m.domain}/`,
    StoreLocatorUrl: `https://${m.domain}/locations/`,
  };
}

function points(offer: CatalogueOffer): Json {
  return offer.redemptionMode === 'POINTS' ? { PointsConversionRate: POINTS_CONVERSION_RATE } : {};
}

/** The reward currency of POINTS offers (legacy `PointsType`, `/loyalty` `pointsType`). */
export const POINTS_TYPE = 'Simulator Bank Points';

/** `ScActivation` as offers carry it (the short form). */
function shortActivation(offer: CatalogueOffer, activation: SimulatorActivation, today: number): Json {
  return {
    ActivationId: activation.activationId,
    RedemptionStartDate: isoDay(activation.day),
    RedemptionEndDate: isoDay(today + offer.endOffsetDays),
  };
}

/** Fields shared by MatchedOffer, DetailedOffer and RedeemedOffer. */
function common(offer: CatalogueOffer, lang: string | undefined, today: number): Json {
  const t = offerTexts(offer, lang);
  return {
    OfferId: offer.id,
    OfferType: offer.type,
    OfferSource: 'Mastercard',
    Language: t.language,
    CurrencyCode: 'USD',
    Merchant: merchant(offer),
    MerchantImageURL: imageUrl(offer),
    RedemptionMode: offer.redemptionMode,
    ...points(offer),
    MinTotalSpend: money(offer.minSpendCents),
    LongTerms: t.longTerms,
    Headline: t.headline,
    ShortDescription: t.shortDescription,
    EventStartDate: isoDay(today + offer.startOffsetDays),
    EventEndDate: isoDay(today + offer.endOffsetDays),
    MaxUserRedemptions: String(offer.maxUserRedemptions),
    OfferCountry: offer.merchant.country,
  };
}

/** Fields DetailedOffer and RedeemedOffer add to {@link common}. */
function detail(offer: CatalogueOffer, lang: string | undefined): Json {
  const t = offerTexts(offer, lang);
  return {
    RedemptionType: offer.redemptionType,
    OfferMedia: { OfferImages: [{ AltText: offer.merchant.name, Description: t.imageDescription, ImageUrl: imageUrl(offer) }] },
    OfferDisplay: { Terms: t.terms, Category: offer.merchant.category, DetailedTerms: t.terms, LongTerms: t.longTerms },
    DetailPostpaidCreditOffer: {
      CashBack: money(offer.rewardCents),
      StatementCreditType: offer.discountType === 'PERCENTAGE' ? 'SPEND_PERCENTAGE' : 'SPEND_CASH',
      VisitThreshold: '1',
      MinTransactionAmountToRedeem: money(offer.minSpendCents),
      MaxCashback: money(offer.rewardCents),
      ...(offer.redemptionMode === 'POINTS' ? { PointsValue: String(offer.rewardCents) } : {}),
      CurrencyCode: 'USD',
    },
    LongDescription: t.longDescription,
  };
}

/** `MatchedOffer` (§4.1) as the user sees it: activation state and feedback included. */
export function matchedOfferView(offer: CatalogueOffer, lang: string | undefined, user: UserOfferState, today: number): Json {
  const activation = user.activations.get(offer.id);
  const feedback = user.feedback.get(offer.id);
  return {
    ...common(offer, lang, today),
    ...(offer.redemptionMode === 'POINTS' ? { PointsType: POINTS_TYPE } : {}),
    ...(activation ? { ActivationDate: isoDay(activation.day), ScActivation: shortActivation(offer, activation, today) } : {}),
    Discount: offer.discountType === 'PERCENTAGE' ? String(offer.percent) : money(offer.rewardCents),
    DiscountType: offer.discountType,
    // ALWAYSON needs no activation call: it is as ready as an activated one, without an ScActivation.
    ActiveSc: offer.type === 'ALWAYSON' || activation ? 'ACTIVATED_STATEMENT_CREDIT' : 'AVAILABLE',
    ...(feedback !== undefined ? { UserFeedback: { OfferId: offer.id, Feedback: String(feedback) } } : {}),
  };
}

/** `OfferDetails` (§4.2). */
export function offerDetailsView(offer: CatalogueOffer, lang: string | undefined, user: UserOfferState, today: number): Json {
  const activation = user.activations.get(offer.id);
  return {
    ...common(offer, lang, today),
    ...detail(offer, lang),
    ...(offer.redemptionMode === 'POINTS' ? { PointsType: POINTS_TYPE } : {}),
    ...(activation ? { ActivationDate: isoDay(activation.day) } : {}),
  };
}

/** `RedeemedOffer` (§4.3): the v1.5 schema has no `PointsType` here. */
export function redeemedOfferView(redeemed: RedeemedOfferState, lang: string | undefined, today: number): Json {
  const { offer, activation } = redeemed;
  return {
    ...common(offer, lang, today),
    ...detail(offer, lang),
    ...(activation ? { ActivationDate: isoDay(activation.day), ScActivation: shortActivation(offer, activation, today) } : {}),
    Transactions: {
      Transaction: redeemed.redemptions.map((r) => ({
        CashbackEarned: money(r.cashbackCents),
        PointsEarned: String(r.points),
        TransactionAmount: money(r.amountCents),
        RedemptionDate: isoDay(r.day),
        InstallmentPayment: 'false',
      })),
    },
  };
}

/** The full `ScActivation` (§4.4) of activatestatementcreditoffer and statementcreditactivationdetail; `Merchant` is a string here. */
export function activationDetailView(
  offer: CatalogueOffer,
  activation: SimulatorActivation,
  user: UserOfferState,
  lang: string | undefined,
  today: number,
): Json {
  const t = offerTexts(offer, lang);
  const purchases = user.redemptions.filter((r) => r.offerId === offer.id);
  const spent = purchases.reduce((a, r) => a + r.amountCents, 0);
  const last = purchases.at(-1);
  return {
    ActivationId: activation.activationId,
    OfferId: offer.id,
    Headline: t.headline,
    Status: 'ACTIVATED',
    ActivationDate: isoDay(activation.day),
    ...(last ? { RedemptionDate: isoDay(last.day) } : {}),
    RedemptionEndDate: isoDay(today + offer.endOffsetDays),
    RedemptionStartDate: isoDay(activation.day),
    MerchantLogo: imageUrl(offer),
    RedemptionMode: offer.redemptionMode,
    PointsEarned: String(purchases.reduce((a, r) => a + r.points, 0)),
    ShortDescription: t.shortDescription,
    Merchant: offer.merchant.name,
    CashBack: money(offer.rewardCents),
    TotalSpend: money(spent),
    TotalVisits: String(purchases.length),
    RemainingSpend: money(Math.max(0, offer.minSpendCents - spent)),
    RemainingVisits: String(purchases.length > 0 ? 0 : 1),
    Terms: t.terms,
  };
}
