// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';

/** `Response.Status`: `Code` `'600'` is success. */
export class ResponseStatus {
  @IsString()
  @IsNotEmpty()
  Code!: string;

  @IsOptional()
  @IsString()
  Message?: string;
}

/** `Response.UserToken`. */
export class UserToken {
  /** The user session token. It does not expire (per the spec). */
  @IsString()
  Token!: string;
}

/** The `Response` object of `GET /usertoken`. */
export class UserTokenResponseBody {
  @IsDefined()
  @ValidateNested()
  @Type(() => ResponseStatus)
  Status!: ResponseStatus;

  @IsOptional()
  @ValidateNested()
  @Type(() => UserToken)
  UserToken?: UserToken;
}

/** The 200 body of `GET /usertoken`: `{"Response":{"Status":{…},"UserToken":{"Token":"…"}}}`. */
export class UserTokenResponse {
  @IsDefined()
  @ValidateNested()
  @Type(() => UserTokenResponseBody)
  Response!: UserTokenResponseBody;
}

/** One item of Mastercard's error body, as sent on the wire. */
export class WireErrorItem {
  @IsOptional() @IsString() ReasonCode?: string;
  @IsOptional() @IsString() Source?: string;
  @IsOptional() @IsString() Description?: string;
  @IsOptional() @IsString() Details?: string;
  @IsOptional() @IsBoolean() Recoverable?: boolean;
}

/**
 * Builds the model from parsed JSON without class-transformer's generic machinery (a hot path):
 * the same instances `plainToInstance(UserTokenResponse, json)` gives, for validation next.
 */
export function toUserTokenResponse(json: unknown): UserTokenResponse {
  const out = new UserTokenResponse();
  const response = (json as { Response?: unknown })?.Response;
  if (response && typeof response === 'object') {
    const body = new UserTokenResponseBody();
    const { Status, UserToken: token } = response as { Status?: unknown; UserToken?: unknown };
    if (Status !== undefined) body.Status = Status && typeof Status === 'object' ? Object.assign(new ResponseStatus(), Status) : (Status as ResponseStatus);
    if (token !== undefined) body.UserToken = token && typeof token === 'object' ? Object.assign(new UserToken(), token) : (token as UserToken);
    out.Response = body;
  } else if (response !== undefined) {
    out.Response = response as UserTokenResponseBody;
  }
  return out;
}
