/**
 * Notifications (通知): in-app messages to a user, and the same by e-mail when SMTP_URL is configured
 * (nodemailer). The in-app record is written first; the e-mail is best effort and never blocks a decision.
 */
import { Controller, Get, Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import nodemailer, { type Transporter } from 'nodemailer';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, type DataSource, type EntityManager } from 'typeorm';
import { CurrentUser, Roles, type AuthUser } from '../common/auth.js';
import { APP_CONFIG, type AppConfig } from '../config/env.js';

@Entity('notifications')
@Index('notifications_user_idx', ['userId', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) data!: Record<string, unknown>;
  @Column({ name: 'emailed_at', type: 'timestamptz', nullable: true }) emailedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export interface NotificationInput {
  userId: string;
  kind: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}

@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('Notifications');
  private readonly mailer: Transporter | null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.mailer = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  /** Records the notification in the caller's transaction; returns its id for `email` after commit. */
  async record(em: EntityManager, input: NotificationInput): Promise<string> {
    const saved = await em.save(em.create(Notification, { userId: input.userId, kind: input.kind, title: input.title, body: input.body, data: input.data ?? {} }));
    return saved.id;
  }

  /** Sends the e-mail of a recorded notification (after commit); failures are logged, not thrown. */
  async email(notificationId: string): Promise<void> {
    if (!this.mailer) return;
    const rows = (await this.db.query(`SELECT n.title, n.body, u.email FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id = $1 AND n.emailed_at IS NULL`, [notificationId])) as { title: string; body: string; email: string }[];
    if (rows.length === 0) return;
    try {
      await this.mailer.sendMail({ from: this.config.mailFrom, to: rows[0].email, subject: rows[0].title, text: rows[0].body });
      await this.db.query('UPDATE notifications SET emailed_at = now() WHERE id = $1', [notificationId]);
    } catch (error) {
      this.logger.warn(`e-mail of notification ${notificationId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  list(userId: string): Promise<Notification[]> {
    return this.db.getRepository(Notification).find({ where: { userId }, order: { createdAt: 'DESC' }, take: 100 });
  }
}

@ApiTags('notifications')
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('me/notifications')
  @Roles('bidder', 'party', 'court_clerk', 'appraiser', 'admin')
  list(@CurrentUser() user: AuthUser): Promise<Notification[]> {
    return this.notifications.list(user.id);
  }
}

@Global()
@Module({ controllers: [NotificationsController], providers: [NotificationsService], exports: [NotificationsService] })
export class NotificationsModule {}
