import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { IsIanaTimeZone, IsInstant } from '../common/validators.js';
import { CALENDAR_PROVIDERS, type CalendarProviderName } from './calendar-provider.js';

export class ConnectCalendarDto {
  /** optional here so that its absence answers the seed's MISSING_AUTH_CODE rather than a generic validation error */
  @ApiPropertyOptional({ description: 'The code the provider put on the redirect URI', example: 'google_authorization_code' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  authCode?: string;

  @ApiPropertyOptional({ description: 'The state from authorize-url (then PKCE is used)' })
  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  state?: string;
}

export class ConnectAppleDto {
  @ApiProperty({ example: 'someone@icloud.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  username: string;

  @ApiProperty({ description: 'An app-specific password (appleid.apple.com)' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  appPassword: string;

  @ApiPropertyOptional({ description: "CalDAV server; default iCloud's", example: 'https://caldav.icloud.com' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  serverUrl?: string;
}

export class CreateCalendarEventDto {
  @ApiProperty({ example: 'Therapy Session' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ example: 'Regular therapy session' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ example: '2024-01-01T10:00:00Z' })
  @IsInstant()
  startTime: string;

  @ApiProperty({ example: '2024-01-01T11:00:00Z' })
  @IsInstant()
  endTime: string;

  @ApiProperty({ enum: CALENDAR_PROVIDERS })
  @IsIn(CALENDAR_PROVIDERS)
  provider: CalendarProviderName;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'Zone the event is shown in (default: your profile zone)' })
  @IsOptional()
  @IsIanaTimeZone()
  timeZone?: string;
}

export class SyncSessionDto {
  @ApiProperty({ enum: CALENDAR_PROVIDERS })
  @IsIn(CALENDAR_PROVIDERS)
  provider: CalendarProviderName;
}

export class CalendarPreferencesDto {
  @ApiProperty({ description: "Show the client's initials in the title of your own calendar entries (off by default)" })
  @IsBoolean()
  showClientInitials: boolean;
}

export class DisconnectQueryDto {
  @ApiPropertyOptional({ description: 'Also delete the events this integration created' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  removeEvents?: boolean;
}

export class ConnectedDto {
  @ApiProperty({ example: 'google' }) provider: string;
  @ApiProperty() connectedAt: string;
}

export class AuthorizeUrlDto {
  @ApiProperty() url: string;
  @ApiProperty() state: string;
  @ApiProperty() expiresAt: string;
}

export class IntegrationDto {
  @ApiProperty() provider: string;
  @ApiProperty() connectedAt: string;
  @ApiProperty() lastUpdated: string;
  @ApiProperty({ enum: ['active', 'needs_reauth', 'error'] }) status: string;
  @ApiPropertyOptional({ nullable: true, type: String }) statusReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) accountEmail: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastSyncedAt: string | null;
}

export class IntegrationsDto {
  @ApiProperty({ type: [IntegrationDto] }) integrations: IntegrationDto[];
}

export class CalendarEventDto {
  @ApiProperty() id: string;
  @ApiProperty() provider: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sessionId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) providerEventId: string | null;
  @ApiProperty() state: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastSyncedAt: string | null;
}
