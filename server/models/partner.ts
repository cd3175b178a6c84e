import { BaseModel } from './base-model';

export class Partner extends BaseModel {
  static override tableName = 'partners';
  static override timestamps = true;

  name!: string;
  slug!: string;
  createdAt!: string;
  updatedAt!: string;
}
