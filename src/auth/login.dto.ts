import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@sandbox.local' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Sandbox-Admin-2026!' })
  @IsString()
  @Length(1, 128)
  password: string;
}

export class LoginResultDto {
  @ApiProperty({ description: 'JWT (HS256) with claims sub, role, email' })
  accessToken: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 900 })
  expiresIn: number;
}
