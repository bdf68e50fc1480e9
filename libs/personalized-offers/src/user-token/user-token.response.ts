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
