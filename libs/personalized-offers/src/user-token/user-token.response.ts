// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsNotEmpty, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { registerWireField } from '../http/model-compiler.js';

/** `Response.Status`: `Code` `'600'` is success. */
export class ResponseStatus {
  /** Application response code: `'600'` on success. */
  @IsString()
  @IsNotEmpty()
  Code!: string;

  /** Application response message (`Success`). */
  @IsOptional()
  @IsString()
  @Transform(({ value }: { value: unknown }) => value ?? undefined, { toClassOnly: true }) // null = absent, as in every model
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
  /** The legacy response status: `Code` `'600'` on success. */
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ResponseStatus)
  Status!: ResponseStatus;

  /** The user session token, on success. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UserToken)
  @Transform(({ value }: { value: unknown }) => value ?? undefined, { toClassOnly: true }) // null = absent, as in every model
  UserToken?: UserToken;
}

/** The 200 body of `GET /usertoken`: `{"Response":{"Status":{…},"UserToken":{"Token":"…"}}}`. */
export class UserTokenResponse {
  /** The response payload inside the `Response` envelope. */
  @IsDefined()
  @IsObject()
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

// The compiled parser's view of the same rules (`http/model-compiler.ts`); the equivalence test
// checks it against class-validator on generated bodies.
registerWireField(UserTokenResponse.prototype, 'Response', { kind: 'nested', type: () => UserTokenResponseBody, required: true });
registerWireField(UserTokenResponseBody.prototype, 'Status', { kind: 'nested', type: () => ResponseStatus, required: true });
registerWireField(UserTokenResponseBody.prototype, 'UserToken', { kind: 'nested', type: () => UserToken });
registerWireField(UserToken.prototype, 'Token', { kind: 'required-string' });
registerWireField(ResponseStatus.prototype, 'Code', { kind: 'required-text' });
registerWireField(ResponseStatus.prototype, 'Message', { kind: 'string' });
