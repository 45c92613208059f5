import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Connection } from './connection.entity.js';
import { ConnectionsService } from './connections.service.js';
import { OAuthClients } from './oauth/oauth-clients.js';
import { OAuthState } from './oauth-state.entity.js';
import { SecretBox } from './secret-box.js';

/** OAuth connections shared by calendar and video: see the API at the top of connections.service.ts. */
@Module({
  imports: [TypeOrmModule.forFeature([Connection, OAuthState])],
  providers: [ConnectionsService, OAuthClients, SecretBox],
  exports: [ConnectionsService, OAuthClients, SecretBox],
})
export class ConnectionsModule {}
