import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsEnum, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { IsIanaTimeZone } from '../../common/validators.js';
import { Role, type User } from './user.entity.js';

export class CreateUserDto {
  @ApiProperty({ example: 'dr.smith@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Dr. Jane Smith' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: Role })
  @IsEnum(Role)
  role: Role;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone' })
  @IsIanaTimeZone()
  timeZone: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @Length(12, 128)
  password: string;

  @ApiPropertyOptional({ format: 'uuid', description: "For clients: their therapist's user id" })
  @IsOptional()
  @IsUUID()
  therapistId?: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: Role })
  role: Role;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  therapistId: string | null;

  @ApiProperty()
  createdAt: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      timeZone: user.timeZone,
      therapistId: user.therapistId,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
