//! The till: a store, a clock, an id source, the cached menu and settings, and the session (who is
//! logged in, which order is current, aliases). [`Till::execute`] runs one [`Command`].

use std::{collections::HashMap, path::Path, sync::Arc};

use fynlo_core::{
    catalog::Catalog,
    ids::{LineNo, ModifierId, OrderId, PaymentId, ProductId, VariantId},
    order::{
        Course, Ctx, Discount, DiscountKind, LineChange, LineRequest, OpenOrder, Order, OrderCommand, OrderKind,
        OrderState,
    },
    settings::Restaurant,
    staff::{Pin, Staff},
    time::{Clock, IdSource, Timestamp},
    BasisPoints, Minor,
};
use fynlo_store::{Store, Write};

use crate::{
    auth,
    command::{Command, CourseInput, DiscountInput, KitchenStatus, OrderKindInput},
    error::{AppError, ErrorCode},
    setup,
    view::{HistoryView, MenuView, OrderView, OrdersView, Reply, SessionView, StaffView},
};

/// Wrong PINs are counted over this window (lockout itself comes with staff management).
const PIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A running till.
pub struct Till {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    restaurant: Restaurant,
    catalog: Catalog,
    menu_version: i64,
    staff: Vec<Staff>,
    session: Session,
    /// Open orders this till has worked on, as last stored.
    orders: HashMap<OrderId, Order>,
}

#[derive(Default)]
struct Session {
    staff: Option<Staff>,
    current: Option<OrderId>,
    aliases: HashMap<String, OrderId>,
}

impl Till {
    /// Opens the till database at `path`.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Till, AppError> {
        let store = Store::open(path).await?;
        Till::with_store(store, clock, ids).await
    }

    /// Runs a till on an open store.
    pub async fn with_store(store: Store, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Result<Till, AppError> {
        let restaurant = store
            .restaurant()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no restaurant settings"))?;
        let (menu_version, catalog) = store
            .menu()
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotInitialised, "the till has no menu"))?;
        let staff = store.staff().await?;
        Ok(Till {
            store,
            clock,
            ids,
            restaurant,
            catalog,
            menu_version,
            staff,
            session: Session::default(),
            orders: HashMap::new(),
        })
    }

    /// The store, for views and tools that read it directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Gives the store back, ending the till.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Imports a new menu version and starts using it.
    pub async fn import_menu(&mut self, json: &str) -> Result<i64, AppError> {
        let version = setup::import_menu(&self.store, json, self.clock.as_ref(), self.ids.as_ref()).await?;
        if let Some((v, catalog)) = self.store.menu().await? {
            self.menu_version = v;
            self.catalog = catalog;
        }
        Ok(version)
    }

    /// Runs one command. On error nothing has changed, except that a wrong PIN is recorded for the audit trail.
    pub async fn execute(&mut self, command: Command) -> Result<Reply, AppError> {
        // A locked till answers every order command with `not_logged_in` before looking at its fields, so
        // it never tells a passer-by which products, orders or aliases exist.
        if !matches!(
            command,
            Command::Login { .. } | Command::Logout | Command::Whoami | Command::Menu
        ) {
            self.require_staff()?;
        }
        match command {
            Command::Login { pin, staff } => self.login(&pin, staff.as_deref()).await,
            Command::Logout => {
                self.session.staff = None;
                self.session.current = None;
                Ok(self.session_reply())
            }
            Command::Whoami => Ok(self.session_reply()),
            Command::Menu => Ok(Reply::Menu(MenuView::new(
                &self.restaurant,
                self.menu_version,
                &self.catalog,
            ))),
            Command::OpenOrder { kind, alias } => self.open_order(kind, alias).await,
            Command::AddLine {
                order,
                product,
                sku,
                barcode,
                variant,
                modifiers,
                quantity,
                note,
                course,
                seat,
            } => {
                let product = self.find_product(product, sku, barcode)?;
                let request = LineRequest {
                    product: Some(product),
                    variant: variant.map(VariantId::new).transpose()?,
                    modifiers: modifiers
                        .unwrap_or_default()
                        .into_iter()
                        .map(ModifierId::new)
                        .collect::<Result<_, _>>()?,
                    quantity: quantity.unwrap_or(1),
                    note,
                    course: course.map(course_of),
                    seat,
                };
                self.run(order, OrderCommand::AddLine(request)).await
            }
            Command::ChangeLine {
                order,
                line,
                quantity,
                note,
                course,
                seat,
                clear,
            } => {
                let clear = clear.unwrap_or_default();
                if let Some(bad) = clear.iter().find(|f| !matches!(f.as_str(), "note" | "course" | "seat")) {
                    return Err(AppError::invalid(format!("clear: {bad:?} is not note, course or seat")));
                }
                let cleared = |field: &str| clear.iter().any(|f| f == field);
                let change = LineChange {
                    quantity,
                    note: if cleared("note") { Some(None) } else { note.map(Some) },
                    course: if cleared("course") {
                        Some(None)
                    } else {
                        course.map(|c| Some(course_of(c)))
                    },
                    seat: if cleared("seat") { Some(None) } else { seat.map(Some) },
                };
                self.run(
                    order,
                    OrderCommand::ChangeLine {
                        line: LineNo::new(line),
                        change,
                    },
                )
                .await
            }
            Command::RemoveLine { order, line } => self.run(order, OrderCommand::RemoveLine(LineNo::new(line))).await,
            Command::VoidLine { order, line, reason } => {
                self.run(
                    order,
                    OrderCommand::VoidLine {
                        line: LineNo::new(line),
                        reason,
                    },
                )
                .await
            }
            Command::SetLineDiscount { order, line, discount } => {
                let discount = discount.map(discount_of).transpose()?;
                self.run(
                    order,
                    OrderCommand::SetLineDiscount {
                        line: LineNo::new(line),
                        discount,
                    },
                )
                .await
            }
            Command::SetOrderDiscount { order, discount } => {
                let discount = discount.map(discount_of).transpose()?;
                self.run(order, OrderCommand::SetOrderDiscount(discount)).await
            }
            Command::SetServiceCharge { order, enabled, reason } => {
                self.run(order, OrderCommand::SetServiceCharge { enabled, reason })
                    .await
            }
            Command::SetOrderType { order, kind } => self.run(order, OrderCommand::SetKind(kind_of(kind))).await,
            Command::SendToKitchen { order } => self.run(order, OrderCommand::SendToKitchen).await,
            Command::SetStatus { order, status } => {
                let to = match status {
                    KitchenStatus::Preparing => OrderState::Preparing,
                    KitchenStatus::Ready => OrderState::Ready,
                    KitchenStatus::Served => OrderState::Served,
                };
                self.run(order, OrderCommand::SetStatus(to)).await
            }
            Command::Park { order } => self.run(order, OrderCommand::Park).await,
            Command::Resume { order } => self.resume(&order).await,
            Command::ShowOrder { order } => {
                self.require_staff()?;
                let id = self.resolve(order.as_deref())?;
                let order = self.store.order(id).await?;
                self.order_reply(&order)
            }
            Command::OpenOrders => {
                self.require_staff()?;
                let orders = self.store.open_orders().await?;
                let views = orders
                    .iter()
                    .map(|o| OrderView::new(o, self.alias_of(o.id())))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Reply::Orders(OrdersView { orders: views }))
            }
            Command::TakeCash { order, tendered } => {
                let payment = PaymentId::from_uuid(self.ids.new_id());
                self.run(
                    order,
                    OrderCommand::TakeCash {
                        payment,
                        tendered: Minor::new(tendered),
                    },
                )
                .await
            }
            Command::Complete { order } => self.run(order, OrderCommand::Complete).await,
            Command::Cancel { order, reason } => self.run(order, OrderCommand::Cancel { reason }).await,
            Command::History { order } => {
                self.require_staff()?;
                let id = self.resolve(order.as_deref())?;
                let order = self.store.order(id).await?;
                let entries = self.store.history(id).await?;
                Ok(Reply::History(HistoryView::new(&order, &entries)))
            }
        }
    }

    async fn login(&mut self, pin: &str, staff: Option<&str>) -> Result<Reply, AppError> {
        let now = self.clock.now();
        let candidates: Vec<Staff> = match staff {
            Some(id) => self.staff.iter().filter(|s| s.id.as_str() == id).cloned().collect(),
            None => self.staff.clone(),
        };
        let found = Pin::new(pin)
            .map_err(AppError::from)
            .and_then(|pin| auth::find_staff(&candidates, &pin).cloned());
        match found {
            Ok(member) => {
                self.session = Session {
                    staff: Some(member),
                    ..Session::default()
                };
                Ok(self.session_reply())
            }
            Err(e) if e.code == ErrorCode::WrongPin => {
                let system = setup::system_staff();
                let w = Write {
                    at: now,
                    staff: &system,
                    ids: self.ids.as_ref(),
                };
                let since = Timestamp::from_millis(now.millis() - PIN_WINDOW_MS);
                let count = self.store.record_pin_failure(since, &w).await?;
                Err(AppError::new(
                    ErrorCode::WrongPin,
                    format!("wrong PIN ({count} wrong in the last 15 minutes)"),
                ))
            }
            Err(e) => Err(e),
        }
    }

    async fn open_order(&mut self, kind: OrderKindInput, alias: Option<String>) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        if let Some(a) = &alias {
            check_alias(a)?;
            if self.session.aliases.contains_key(a) {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("alias {a:?} is already in use"),
                ));
            }
        }
        let ctx = Ctx {
            at: self.clock.now(),
            staff: staff.clone(),
        };
        let date = self.clock.business_date();
        let req = |number: u32| OpenOrder {
            id: OrderId::from_uuid(self.ids.new_id()),
            number,
            business_date: date.clone(),
            device: self.store.device(),
            currency: self.restaurant.currency,
            kind: kind_of(kind.clone()),
            service_charge: self.restaurant.service_charge,
        };
        let w = Write {
            at: ctx.at,
            staff: &staff,
            ids: self.ids.as_ref(),
        };
        let order = self.store.open_order(&date, &w, |n| Order::open(req(n), &ctx)).await?;
        self.session.current = Some(order.id());
        self.orders.insert(order.id(), order.clone());
        if let Some(a) = alias {
            self.session.aliases.insert(a, order.id());
        }
        self.order_reply(&order)
    }

    async fn resume(&mut self, order: &str) -> Result<Reply, AppError> {
        self.require_staff()?;
        let id = self.resolve(Some(order))?;
        let found = self.store.order(id).await?;
        if found.state().is_closed() {
            return Err(fynlo_core::Error::OrderClosed(found.state()).into());
        }
        if found.parked() {
            return self.run(Some(order.to_owned()), OrderCommand::Resume).await;
        }
        self.session.current = Some(id);
        self.order_reply(&found)
    }

    /// Executes an order command through the core and stores the events with their outbox rows.
    ///
    /// The orders this till works on are kept in memory, so a command costs one round trip to SQLite.
    /// If another process changed the order meanwhile, the store refuses the write (version conflict);
    /// the till then reloads the order and decides the command once more on what is really stored.
    async fn run(&mut self, order: Option<String>, command: OrderCommand) -> Result<Reply, AppError> {
        let staff = self.require_staff()?.id.clone();
        let id = self.resolve(order.as_deref())?;
        let ctx = Ctx {
            at: self.clock.now(),
            staff,
        };
        let w = Write {
            at: ctx.at,
            staff: &ctx.staff,
            ids: self.ids.as_ref(),
        };
        let mut retried = false;
        let next = loop {
            let current = match self.orders.get(&id) {
                Some(order) => order.clone(),
                None => self.store.order(id).await?,
            };
            let (next, events) = current.execute(&command, &self.catalog, &ctx)?;
            match self.store.append(&next, &events, &w).await {
                Ok(()) => break next,
                Err(fynlo_store::Error::VersionConflict { .. }) if !retried => {
                    self.orders.remove(&id);
                    retried = true;
                }
                Err(e) => {
                    self.orders.remove(&id);
                    return Err(e.into());
                }
            }
        };
        if next.state().is_closed() {
            self.orders.remove(&id);
        } else {
            self.orders.insert(id, next.clone());
        }
        match command {
            OrderCommand::Resume => self.session.current = Some(id),
            OrderCommand::Park if self.session.current == Some(id) => self.session.current = None,
            _ if next.state().is_closed() && self.session.current == Some(id) => self.session.current = None,
            _ => {}
        }
        self.order_reply(&next)
    }

    fn require_staff(&self) -> Result<&Staff, AppError> {
        self.session
            .staff
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "log in with your PIN first"))
    }

    /// An order named by alias or id, or the current order.
    fn resolve(&self, order: Option<&str>) -> Result<OrderId, AppError> {
        match order {
            None => self
                .session
                .current
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, "no current order: open one or name it")),
            Some(name) => {
                if let Some(id) = self.session.aliases.get(name) {
                    return Ok(*id);
                }
                OrderId::parse(name)
                    .map_err(|_| AppError::new(ErrorCode::NotFound, format!("no order or alias {name:?}")))
            }
        }
    }

    fn alias_of(&self, id: OrderId) -> Option<String> {
        self.session
            .aliases
            .iter()
            .find(|(_, v)| **v == id)
            .map(|(k, _)| k.clone())
    }

    fn find_product(
        &self,
        product: Option<String>,
        sku: Option<String>,
        barcode: Option<String>,
    ) -> Result<ProductId, AppError> {
        let found = match (product, sku, barcode) {
            (Some(id), None, None) => self.catalog.product(&ProductId::new(id)?)?,
            (None, Some(sku), None) => self.catalog.product_by_sku(&sku)?,
            (None, None, Some(code)) => self.catalog.product_by_barcode(code.trim())?,
            _ => {
                return Err(AppError::invalid(
                    "name the product by exactly one of product, sku or barcode",
                ))
            }
        };
        Ok(found.id.clone())
    }

    fn order_reply(&self, order: &Order) -> Result<Reply, AppError> {
        Ok(Reply::Order(Box::new(OrderView::new(
            order,
            self.alias_of(order.id()),
        )?)))
    }

    fn session_reply(&self) -> Reply {
        Reply::Session(SessionView {
            staff: self.session.staff.as_ref().map(StaffView::from),
            current_order: self.session.current.map(|id| id.to_string()),
        })
    }
}

fn check_alias(alias: &str) -> Result<(), AppError> {
    let ok = !alias.is_empty()
        && alias.len() <= 32
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && OrderId::parse(alias).is_err();
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("alias: 1 to 32 letters, digits, - or _"))
    }
}

fn kind_of(kind: OrderKindInput) -> OrderKind {
    match kind {
        OrderKindInput::DineIn { table, covers } => OrderKind::DineIn { table, covers },
        OrderKindInput::Takeaway => OrderKind::Takeaway,
    }
}

fn course_of(course: CourseInput) -> Course {
    match course {
        CourseInput::Starter => Course::Starter,
        CourseInput::Main => Course::Main,
        CourseInput::Dessert => Course::Dessert,
    }
}

fn discount_of(input: DiscountInput) -> Result<Discount, AppError> {
    Ok(match input {
        DiscountInput::Percent { rate_bp, reason } => Discount {
            kind: DiscountKind::Percent {
                rate: BasisPoints::fraction(rate_bp)
                    .map_err(|e| AppError::new(ErrorCode::InvalidDiscount, e.to_string()))?,
            },
            reason,
        },
        DiscountInput::Fixed { amount, reason } => {
            if amount < 0 {
                return Err(AppError::new(
                    ErrorCode::InvalidDiscount,
                    "a discount must not be negative",
                ));
            }
            Discount {
                kind: DiscountKind::Fixed {
                    amount: Minor::new(amount),
                },
                reason,
            }
        }
    })
}
